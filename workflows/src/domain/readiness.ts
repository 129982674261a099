import type { DrillReadiness } from '@lifeline/contracts';
import type { CommunityState } from './state';

/** A span-of-control (or overlay) finding from personnel's readiness check, ids only. */
export type SpanFinding = NonNullable<DrillReadiness['spansOfControl']>[number];

/** At most this many entries per list, so a city-wide drill's report stays small in history. */
export const READINESS_LIMIT = 200;

/**
 * The drill's readiness report: communities short of supplies, roles nobody acknowledged (per dispatch step, with
 * the communities concerned), residents not reached, and — when personnel's check answered — spans of control too
 * wide to mobilise. Ready means every list is empty.
 */
export function drillReadiness(communities: readonly CommunityState[], spans?: readonly SpanFinding[]): DrillReadiness {
  const ordered = [...communities].sort((a, b) => a.communityId.localeCompare(b.communityId));
  const shortfalls = ordered.filter((c) => c.figures.supplies.shortfall > 0).map((c) => ({ communityId: c.communityId, units: c.figures.supplies.shortfall }));
  const roles = new Map<string, DrillReadiness['unacknowledgedRoles'][number]>();
  for (const c of ordered) {
    for (const task of c.tasks.filter((t) => t.status === 'missed')) {
      const key = `${task.stepId}/${task.role}`;
      const entry = roles.get(key) ?? { role: task.role, stepId: task.stepId, missed: 0, communities: [] };
      entry.missed++;
      if (!entry.communities.includes(c.communityId) && entry.communities.length < READINESS_LIMIT) entry.communities.push(c.communityId);
      roles.set(key, entry);
    }
  }
  const unreached = ordered
    .filter((c) => c.figures.notification.sent < c.figures.notification.total)
    .map((c) => ({ communityId: c.communityId, sent: c.figures.notification.sent, total: c.figures.notification.total }));
  const report: DrillReadiness = {
    ready: false,
    shortfalls: shortfalls.slice(0, READINESS_LIMIT),
    unacknowledgedRoles: [...roles.values()],
    unreached: unreached.slice(0, READINESS_LIMIT),
    ...(spans ? { spansOfControl: spans.slice(0, READINESS_LIMIT) } : {}),
  };
  report.ready = shortfalls.length === 0 && roles.size === 0 && unreached.length === 0 && (spans?.length ?? 0) === 0;
  return report;
}
