import type { personnelContract } from '@lifeline/contracts';

/** The part of a task the figures need. */
export interface TaskFigures {
  communityId: string;
  status: personnelContract.TaskStatus;
  acknowledgedAt?: Date | undefined;
  owners: readonly string[];
  timedOutOwners?: readonly string[] | undefined;
}

/**
 * Task figures for an incident. `acknowledged` counts tasks whose owner acknowledged (done ones included);
 * `timedOut` counts owners who missed their acknowledgement deadline; `fallbacks` counts hand-overs to a
 * next owner.
 */
export function summarize(incidentId: string, tasks: readonly TaskFigures[]): personnelContract.PersonnelSummary {
  const summary: personnelContract.PersonnelSummary = { incidentId, tasks: 0, acknowledged: 0, done: 0, timedOut: 0, fallbacks: 0, byCommunity: {} };
  for (const t of tasks) {
    const acknowledged = t.acknowledgedAt !== undefined && t.acknowledgedAt !== null ? 1 : 0;
    const done = t.status === 'done' ? 1 : 0;
    const community = (summary.byCommunity[t.communityId] ??= { tasks: 0, acknowledged: 0, done: 0 });
    community.tasks += 1;
    community.acknowledged += acknowledged;
    community.done += done;
    summary.tasks += 1;
    summary.acknowledged += acknowledged;
    summary.done += done;
    summary.timedOut += t.timedOutOwners?.length ?? 0;
    summary.fallbacks += Math.max(0, t.owners.length - 1);
  }
  return summary;
}
