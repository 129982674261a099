import type { incentivesContract } from '@lifeline/contracts';
import type { RuleTable } from './rules';

type FlagKind = incentivesContract.FlagKind;

/** A fraud check's finding, before it is stored and published as a flag. */
export interface Finding {
  kind: FlagKind;
  message: string;
  details: Record<string, unknown>;
}

/** What the service verified about a completed task. */
export interface VerifiedWork {
  taskId: string;
  incidentId: string;
  communityId: string;
  ownerId: string;
  hours: number;
  drill: boolean;
  completedAt: Date;
  /** The task's first assignment, when the service saw it. */
  assignedAt?: Date | undefined;
}

/** What a caller asks to be paid for. */
export interface AwardClaim {
  incidentId: string;
  participantId: string;
  communityId?: string | undefined;
  hours: number;
}

/** Allowance for clocks and rounding between the assignment and the reported hours. */
export const SLACK_HOURS = 0.5;
/** Nobody works more than this in one day. */
export const MAX_HOURS_PER_DAY = 24;

const HOUR_MS = 3600_000;

/**
 * The hours a task can be paid for, and why fewer than reported: more than a task can plausibly take, more
 * than the time between its assignment and its completion, or completed before it was assigned. Drill
 * responders are simulated and report fixed hours at once, so only the plausibility limit applies to drills.
 */
export function payableHours(rules: RuleTable, w: VerifiedWork): { hours: number; findings: Finding[] } {
  const findings: Finding[] = [];
  let hours = w.hours;
  if (hours > rules.maxPlausibleHoursPerTask) {
    findings.push({ kind: 'implausible-hours', message: `${w.hours} h for one task is more than the plausible ${rules.maxPlausibleHoursPerTask} h`, details: { reported: w.hours, limit: rules.maxPlausibleHoursPerTask } });
    hours = rules.maxPlausibleHoursPerTask;
  }
  if (w.assignedAt && !w.drill) {
    const elapsed = (w.completedAt.getTime() - w.assignedAt.getTime()) / HOUR_MS;
    if (elapsed < 0) {
      findings.push({ kind: 'outside-time', message: 'completed before it was assigned', details: { assignedAt: w.assignedAt.toISOString(), completedAt: w.completedAt.toISOString() } });
      hours = 0;
    } else if (hours > elapsed + SLACK_HOURS) {
      const limit = Math.round((elapsed + SLACK_HOURS) * 100) / 100;
      findings.push({ kind: 'implausible-hours', message: `${w.hours} h reported, but only ${elapsed.toFixed(2)} h passed between assignment and completion`, details: { reported: w.hours, elapsedHours: elapsed, limit } });
      hours = limit;
    }
  }
  return { hours, findings };
}

/** A participant's hours on one day beyond what a day holds. */
export function dayFindings(hoursBefore: number, hours: number, day: string): Finding[] {
  const total = hoursBefore + hours;
  if (total <= MAX_HOURS_PER_DAY) return [];
  return [{ kind: 'implausible-hours', message: `${total} h of tasks on ${day}, more than a day holds`, details: { day, hours: total } }];
}

/** A caller's claim held against the verified completion. `refuse` findings stop the award; the rest are only flagged. */
export function claimFindings(w: VerifiedWork, claim: AwardClaim): { refuse: Finding[]; flag: Finding[] } {
  const refuse: Finding[] = [];
  const flag: Finding[] = [];
  if (claim.participantId !== w.ownerId) {
    refuse.push({ kind: 'wrong-participant', message: `task ${w.taskId} was completed by another participant`, details: { claimed: claim.participantId } });
  }
  if (claim.incidentId !== w.incidentId) {
    refuse.push({ kind: 'outside-area', message: `task ${w.taskId} belongs to another incident`, details: { claimedIncidentId: claim.incidentId, incidentId: w.incidentId } });
  }
  if (claim.communityId !== undefined && claim.communityId !== w.communityId) {
    refuse.push({ kind: 'outside-area', message: `task ${w.taskId} was done in community ${w.communityId}, not ${claim.communityId}`, details: { claimedCommunityId: claim.communityId, communityId: w.communityId } });
  }
  if (claim.hours > w.hours) {
    flag.push({ kind: 'implausible-hours', message: `the caller claimed ${claim.hours} h; the owner reported ${w.hours} h (paid)`, details: { claimed: claim.hours, reported: w.hours } });
  }
  return { refuse, flag };
}
