import { pack, unpack } from './packing';

/**
 * A delivery sheet records, for one incident step and one audience page, which job may message each resident and
 * what the gateway answered. It is two append-only logs on one document, each entry one compact string:
 *  - `claims`: `jobId|<packed r1,r2,…>` — a job asks for the page's residents in its audience; a resident belongs to the
 *    job of the FIRST claim naming it, so two jobs of one step (overlapping audiences, retries, replays) never both
 *    message a resident, and every reader resolves the same owner;
 *  - `outcomes`: `jobId|<packed entry,entry,…>` — what the gateway answered, written once the call returned.
 * Appending is one `$push` on a filter of exactly `{_id}`: atomic per document, and an index look-up on our store,
 * where a conditional (version) filter would scan the collection.
 */

export type OutcomeStatus = 'sent' | 'failed' | 'capped';

export interface Outcome {
  residentId: string;
  status: OutcomeStatus;
  channel: string;
  fallbackFrom?: string;
  receiptId?: string;
  /** Milliseconds since the epoch: when the gateway answered (or the cap held the resident back). */
  at: number;
}

export interface SheetLogs {
  claims: readonly string[];
  outcomes: readonly string[];
}

/** Who owns a resident on the sheet: the job, and the round (0 = its first claim, 1 = a later claim of that job…). */
export interface Ownership {
  jobId: string;
  round: number;
}

export interface SheetState {
  owners: ReadonlyMap<string, Ownership>;
  outcomes: ReadonlyMap<string, Outcome>;
}

export const sheetIdOf = (incidentId: string, stepId: string, pageId: string) => `${incidentId}:${stepId}:${pageId}`;

/**
 * The tag a round of a job's claims travels under: the job id, then `${jobId}#<round>` for residents a later claim of
 * the same job added (seeded onto the page in between). Every resident of one (job, round) is sent in one gateway call
 * per channel, keyed `${sheetId}:${tag}:${channel}` — the same set of residents under the same key on every retry.
 */
export const roundTag = (o: Ownership) => (o.round === 0 ? o.jobId : `${o.jobId}#${o.round}`);

export const callKeyOf = (sheetId: string, tag: string, channel: string) => `${sheetId}:${tag}:${channel}`;

export const encodeClaim = (jobId: string, residentIds: readonly string[]) => `${jobId}|${pack(residentIds.join(','))}`;

const STATUS_CODE: Record<OutcomeStatus, string> = { sent: 's', failed: 'f', capped: 'c' };
const CODE_STATUS: Record<string, OutcomeStatus> = { s: 'sent', f: 'failed', c: 'capped' };

/** A receipt comes from a gateway and may hold anything: escaped so it never holds a separator. */
const escapeField = (s: string | undefined) => (s === undefined ? '' : encodeURIComponent(s));
const unescapeField = (s: string | undefined) => (s ? decodeURIComponent(s) : undefined);

export function encodeOutcomes(jobId: string, outcomes: readonly Outcome[]): string {
  const entries = outcomes.map((o) => [o.residentId, STATUS_CODE[o.status], o.channel, o.fallbackFrom ?? '', escapeField(o.receiptId), o.at.toString(36)].join(' '));
  return `${jobId}|${pack(entries.join(','))}`;
}

function splitRecord(record: string): { jobId: string; body: string } {
  const bar = record.indexOf('|');
  return { jobId: record.slice(0, bar), body: unpack(record.slice(bar + 1)) };
}

export function decodeOutcomes(record: string): { jobId: string; outcomes: Outcome[] } {
  const { jobId, body } = splitRecord(record);
  const outcomes = body === '' ? [] : body.split(',').map((entry): Outcome => {
    const [residentId, code, channel, fallbackFrom, receiptId, at] = entry.split(' ');
    const status = CODE_STATUS[code ?? ''];
    if (!residentId || !status || !channel || at === undefined) throw new Error(`a malformed delivery outcome: ${entry.slice(0, 80)}`);
    return { residentId, status, channel, ...(fallbackFrom ? { fallbackFrom } : {}), ...(receiptId ? { receiptId: unescapeField(receiptId)! } : {}), at: parseInt(at, 36) };
  });
  return { jobId, outcomes };
}

/** Owners by first claim; outcomes by the first record of each resident's owner (any other record is ignored). */
export function resolveSheet(logs: SheetLogs): SheetState {
  const owners = new Map<string, Ownership>();
  const rounds = new Map<string, number>();
  for (const record of logs.claims) {
    const { jobId, body } = splitRecord(record);
    const round = rounds.get(jobId) ?? 0;
    rounds.set(jobId, round + 1);
    if (body === '') continue;
    for (const residentId of body.split(',')) if (!owners.has(residentId)) owners.set(residentId, { jobId, round });
  }
  const outcomes = new Map<string, Outcome>();
  for (const record of logs.outcomes) {
    const { jobId, outcomes: entries } = decodeOutcomes(record);
    for (const o of entries) if (!outcomes.has(o.residentId) && owners.get(o.residentId)?.jobId === jobId) outcomes.set(o.residentId, o);
  }
  return { owners, outcomes };
}

/** This job's residents on the sheet that have no outcome yet, by round tag (one gateway call per tag and channel). */
export function pendingByTag(state: SheetState, jobId: string): Map<string, string[]> {
  const byTag = new Map<string, string[]>();
  for (const [residentId, owner] of state.owners) {
    if (owner.jobId !== jobId || state.outcomes.has(residentId)) continue;
    const tag = roundTag(owner);
    byTag.set(tag, [...(byTag.get(tag) ?? []), residentId]);
  }
  return byTag;
}

/** Sent and failed per channel. */
export type ChannelTally = Record<string, { sent: number; failed: number }>;

/** How one page of a job went: counted into the job once. */
export interface PageTally {
  pageId: string;
  /** Recipients the job found on the page when it sent it, and the number the cut expected (the total is corrected). */
  recipients: number;
  expected: number;
  sent: number;
  failed: number;
  /** Recipients another job of the same step had already claimed: never messaged twice. */
  duplicatesSkipped: number;
  frequencyCapped: number;
  fallbacks: number;
  byChannel: ChannelTally;
  /** When recipients were settled: `[at ms, residents]`. */
  settled: [number, number][];
}

/**
 * Count a page from its resolved sheet: the recipients found on the page now, and any resident this job claimed on an
 * earlier attempt (who may have left the page since); each is this job's, with an outcome, or another job's.
 */
export function tallyPage(pageId: string, state: SheetState, jobId: string, found: readonly string[], expected: number, now: number): PageTally {
  const recipients = new Set(found);
  for (const [residentId, owner] of state.owners) if (owner.jobId === jobId) recipients.add(residentId);
  const t: PageTally = { pageId, recipients: recipients.size, expected, sent: 0, failed: 0, duplicatesSkipped: 0, frequencyCapped: 0, fallbacks: 0, byChannel: {}, settled: [] };
  const settled = new Map<number, number>();
  const settle = (at: number) => settled.set(at, (settled.get(at) ?? 0) + 1);
  for (const residentId of recipients) {
    const owner = state.owners.get(residentId);
    const outcome = state.outcomes.get(residentId);
    if (owner && owner.jobId !== jobId) {
      t.duplicatesSkipped++;
      settle(now);
      continue;
    }
    if (!outcome) continue;
    settle(outcome.at);
    if (outcome.status === 'capped') {
      t.frequencyCapped++;
      continue;
    }
    t[outcome.status]++;
    const c = (t.byChannel[outcome.channel] ??= { sent: 0, failed: 0 });
    c[outcome.status]++;
    if (outcome.fallbackFrom) t.fallbacks++;
  }
  t.settled = [...settled].sort((a, b) => a[0] - b[0]);
  return t;
}
