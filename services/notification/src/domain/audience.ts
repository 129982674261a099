import type { z } from 'zod';
import { LifelineError, type notificationContract } from '@lifeline/contracts';

type AudienceGroup = z.infer<typeof notificationContract.AudienceGroup>;

/** Which residents of a community a broadcast reaches. */
export type AudienceScope = 'everyone' | 'vulnerable';

/**
 * Resolve the requested groups to a registry scope. Responders are people in the personnel roster, not residents:
 * they are reached through personnel dispatch (which sends direct messages), never by a broadcast.
 */
export function audienceScope(groups: readonly AudienceGroup[]): AudienceScope {
  if (groups.includes('responders')) {
    throw new LifelineError('invalid_request', 'responders are reached through personnel dispatch, not a resident broadcast', [
      { path: 'audience.groups', message: "remove 'responders'; dispatch tasks through personnel instead" },
    ]);
  }
  return groups.includes('everyone') ? 'everyone' : 'vulnerable';
}

/** What ordering needs to know about a resident. */
export interface AudienceMember {
  id: string;
  vulnerabilities: readonly string[];
}

const byId = (a: AudienceMember, b: AudienceMember) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Vulnerable residents (elderly living alone, disabled, children…) are told first; each group in id order. */
export function orderVulnerableFirst<T extends AudienceMember>(residents: readonly T[]): T[] {
  const vulnerable = residents.filter((r) => r.vulnerabilities.length > 0).sort(byId);
  const others = residents.filter((r) => r.vulnerabilities.length === 0).sort(byId);
  return [...vulnerable, ...others];
}

/** Cut an ordered audience into consecutive batches of at most `size`; batch 0 is sent first. */
export function cutBatches<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new LifelineError('internal', `batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** Whether a resident of the community is inside the audience's grids/buildings (no narrowing → everyone is). */
export function inAudience(audience: { gridIds?: readonly string[]; buildingIds?: readonly string[] }, resident: { gridId: string; buildingId: string }): boolean {
  if (!audience.gridIds && !audience.buildingIds) return true;
  return Boolean(audience.gridIds?.includes(resident.gridId) || audience.buildingIds?.includes(resident.buildingId));
}
