import { pack, unpack } from './packing';

/**
 * The contact-frequency cap, per audience page and cap window: an append-only log of `stepKey|r1,r2,…` records (one
 * per step that wants to contact the page's residents, `stepKey` = `${incidentId}:${stepId}`). A resident may be
 * contacted by the first `max` distinct steps that logged them in the window, in log order; any later step holds
 * them back. A retried step finds its own earlier record, so it is never counted twice, and every reader of the log
 * reaches the same decision (the append is one `$push`, see sheet.ts for why no version check).
 */

export const contactLogIdOf = (pageId: string, windowMinutes: number, window: number) => `${pageId}:${windowMinutes}m:${window}`;

export const stepKeyOf = (incidentId: string, stepId: string) => `${incidentId}:${stepId}`;

export const encodeContacts = (stepKey: string, residentIds: readonly string[]) => `${stepKey}|${pack(residentIds.join(','))}`;

/** Which of these residents this step may contact, given the window's log (which already holds this step's record). */
export function capDecision(log: readonly string[], stepKey: string, max: number, residentIds: readonly string[]): { allowed: string[]; capped: string[] } {
  const wanted = new Set(residentIds);
  const stepsOf = new Map<string, string[]>();
  for (const record of log) {
    const bar = record.indexOf('|');
    const step = record.slice(0, bar);
    const body = unpack(record.slice(bar + 1));
    if (body === '') continue;
    for (const residentId of body.split(',')) {
      if (!wanted.has(residentId)) continue;
      const steps = stepsOf.get(residentId) ?? [];
      if (!steps.includes(step)) steps.push(step);
      stepsOf.set(residentId, steps);
    }
  }
  const allowed: string[] = [];
  const capped: string[] = [];
  for (const residentId of residentIds) {
    const position = (stepsOf.get(residentId) ?? []).indexOf(stepKey);
    if (position >= 0 && position < max) allowed.push(residentId);
    else capped.push(residentId);
  }
  return { allowed, capped };
}

/** The cap window a moment falls in (fixed windows of `windowMinutes`). */
export function capWindow(at: Date, windowMinutes: number): number {
  return Math.floor(at.getTime() / (windowMinutes * 60_000));
}
