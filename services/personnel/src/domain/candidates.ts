import type { personnelContract } from '@lifeline/contracts';

/** The part of a person candidate selection looks at (no personal data). */
export interface CandidatePerson {
  id: string;
  type: string;
  communityId: string;
  gridId?: string | undefined;
  skills?: readonly string[] | undefined;
  qualifications?: readonly personnelContract.Qualification[] | undefined;
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
  /** Candidates of this grid come first. */
  gridId?: string | undefined;
  /** Everyone who already held this task; none of them gets it again. */
  previousOwners: readonly string[];
  /** The day (YYYY-MM-DD) qualifications must still be valid on. */
  today: string;
}

/**
 * Whether a person can do work needing `skill` on `today`: they list the skill or hold a qualification for it,
 * and no qualification they hold for it has expired. An expired qualification blocks even a listed skill.
 */
export function qualifiedFor(person: Pick<CandidatePerson, 'skills' | 'qualifications'>, skill: string | undefined, today: string): boolean {
  if (skill === undefined) return true;
  const certificates = (person.qualifications ?? []).filter((q) => q.skill === skill);
  if (certificates.some((q) => q.expiresOn < today)) return false;
  return certificates.length > 0 || Boolean(person.skills?.includes(skill));
}

const byId = (a: CandidatePerson, b: CandidatePerson) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Who may own a task, best first: people of the role in the task's community, qualified for the skill if one is
 * asked for, available, not already holding another open task of the same incident, and never a previous
 * owner of this task. A claim on this very task (a retried dispatch) does not make a person busy.
 * People of the task's grid come first; then by id, so the same roster always gives the same owner.
 */
export function rankCandidates(people: readonly CandidatePerson[], need: TaskNeed, heldInIncident: readonly HeldTask[] = []): CandidatePerson[] {
  const excluded = new Set(need.previousOwners);
  const busy = new Set(heldInIncident.filter((h) => h.taskId !== need.taskId).map((h) => h.personId));
  const fits = people.filter(
    (p) =>
      p.type === need.role &&
      p.communityId === need.communityId &&
      p.available &&
      qualifiedFor(p, need.skill, need.today) &&
      !excluded.has(p.id) &&
      !busy.has(p.id),
  );
  const local = need.gridId === undefined ? [] : fits.filter((p) => p.gridId === need.gridId).sort(byId);
  const rest = fits.filter((p) => need.gridId === undefined || p.gridId !== need.gridId).sort(byId);
  return [...local, ...rest];
}
