import type { CommunityFigures, CommunityState } from '@lifeline/contracts';

// The records themselves are contracts (contracts/src/workflow.ts): the review and the command-center read them too.
export type { CommunityNote, CommunityPhaseInput, CommunityState, DistrictPhaseInput, PhaseContext, ReservationRecord, SiteRecord, TaskRecord } from '@lifeline/contracts';

export const emptyFigures = (): CommunityFigures => ({
  notification: { jobs: 0, total: 0, sent: 0 },
  supplies: { reserved: 0, issued: 0, returned: 0, shortfall: 0 },
  personnel: { tasks: 0, acknowledged: 0, done: 0, fallbacks: 0, missed: 0 },
  incentives: { awards: 0, points: 0 },
});

export function newCommunityState(districtId: string, communityId: string, population: number): CommunityState {
  return { districtId, communityId, population, reservations: [], tasks: [], figures: emptyFigures(), notes: [] };
}
