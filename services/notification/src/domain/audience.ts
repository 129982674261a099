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

/** Whether a resident of the community is inside the audience's grids/buildings (no narrowing → everyone is). */
export function inAudience(audience: { gridIds?: readonly string[]; buildingIds?: readonly string[] }, resident: { gridId: string; buildingId: string }): boolean {
  if (!audience.gridIds && !audience.buildingIds) return true;
  return Boolean(audience.gridIds?.includes(resident.gridId) || audience.buildingIds?.includes(resident.buildingId));
}
