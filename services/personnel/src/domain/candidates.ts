import type { personnelContract } from '@lifeline/contracts';

/** The part of a person candidate selection looks at (no personal data). */
export interface CandidatePerson {
  id: string;
  type: string;
  communityId: string;
  skills?: readonly string[] | undefined;
  available: boolean;
}

/** A person's open task in the task's incident. */
export interface HeldTask {
  personId: string;
  taskId: string;
}

/** What a task needs from its owner. */
export interface TaskNeed {
  taskId: string;
  incidentId: string;
  communityId: string;
  role: personnelContract.PersonType;
  skill?: string | undefined;
  /** Everyone who already held this task; none of them gets it again. */
  previousOwners: readonly string[];
}

/**
 * Who may own a task, best first: people of the role in the task's community, with the skill if one is
 * asked for, available, not already holding another open task of the same incident, and never a previous
 * owner of this task. A claim on this very task (a retried dispatch) does not make a person busy.
 * Ordered by id so the same roster always gives the same owner (replayable, testable).
 */
export function rankCandidates(people: readonly CandidatePerson[], need: TaskNeed, heldInIncident: readonly HeldTask[] = []): CandidatePerson[] {
  const excluded = new Set(need.previousOwners);
  const busy = new Set(heldInIncident.filter((h) => h.taskId !== need.taskId).map((h) => h.personId));
  return people
    .filter(
      (p) =>
        p.type === need.role &&
        p.communityId === need.communityId &&
        p.available &&
        (need.skill === undefined || Boolean(p.skills?.includes(need.skill))) &&
        !excluded.has(p.id) &&
        !busy.has(p.id),
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
