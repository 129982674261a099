import type { personnelContract } from '@lifeline/contracts';
import type { Spell } from './transitions';

/** The part of a task the figures need. */
export interface TaskFigures {
  communityId: string;
  role?: string | undefined;
  status: personnelContract.TaskStatus;
  acknowledgedAt?: Date | null | undefined;
  owners: readonly string[];
  ownerId?: string | null | undefined;
  hours?: number | null | undefined;
  timedOutOwners?: readonly string[] | undefined;
  spells?: readonly Spell[] | undefined;
}

/** The value below which `q` of the sorted values lie (nearest rank); undefined for no values. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

const round = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 10) / 10);

type RoleFigures = NonNullable<personnelContract.PersonnelSummary['byRole']>[string];

function roleFigures(delays: number[], assignments: number): RoleFigures {
  const sorted = [...delays].sort((a, b) => a - b);
  const figures: RoleFigures = { assignments, acknowledged: delays.length, rate: assignments === 0 ? 0 : Math.round((delays.length / assignments) * 1000) / 1000 };
  const median = round(quantile(sorted, 0.5));
  const p90 = round(quantile(sorted, 0.9));
  if (median !== undefined) figures.medianAckSeconds = median;
  if (p90 !== undefined) figures.p90AckSeconds = p90;
  return figures;
}

/**
 * Task figures for an incident. `acknowledged` counts tasks whose owner acknowledged (done ones included);
 * `timedOut` counts owners who missed their acknowledgement deadline; `fallbacks` counts hand-overs to a
 * next owner; `declined` owners who declined. Per role: every owner's spell is an assignment, acknowledged
 * ones give the delay from assignment to acknowledgement. Only pseudonymous ids appear.
 */
export function summarize(incidentId: string, tasks: readonly TaskFigures[]): personnelContract.PersonnelSummary {
  const summary: personnelContract.PersonnelSummary = { incidentId, tasks: 0, acknowledged: 0, done: 0, timedOut: 0, fallbacks: 0, byCommunity: {}, declined: 0 };
  const roles = new Map<string, { assignments: number; delays: number[]; unacknowledgedTasks: number }>();
  const hours: Record<string, number> = {};
  const silent = new Set<string>();
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
    for (const id of t.timedOutOwners ?? []) silent.add(id);
    const role = roles.get(t.role ?? 'unknown') ?? { assignments: 0, delays: [], unacknowledgedTasks: 0 };
    roles.set(t.role ?? 'unknown', role);
    if (!acknowledged && t.status !== 'stood-down') role.unacknowledgedTasks += 1;
    for (const spell of t.spells ?? []) {
      role.assignments += 1;
      if (spell.acknowledgedAt) role.delays.push((new Date(spell.acknowledgedAt).getTime() - new Date(spell.assignedAt).getTime()) / 1000);
      if (spell.outcome === 'declined') {
        summary.declined! += 1;
        silent.add(spell.ownerId);
      }
    }
    if (done && t.ownerId && t.hours) hours[t.ownerId] = (hours[t.ownerId] ?? 0) + t.hours;
  }
  summary.byRole = Object.fromEntries([...roles.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([role, r]) => [role, roleFigures(r.delays, r.assignments)]));
  summary.unacknowledgedRoles = [...roles.entries()].filter(([role, r]) => r.unacknowledgedTasks > 0 && role !== 'unknown').map(([role]) => role as personnelContract.PersonType).sort();
  summary.hoursByParticipant = hours;
  summary.nonAcknowledging = [...silent].sort();
  return summary;
}
