/**
 * The workflows' own records, as contracts: what a community carries from phase to phase (`CommunityState`), what
 * every child knows of its incident (`PhaseContext`), and what each command activity returns.
 *
 * A command's result is its record: what was asked (step, channels, lines, role) beside what came back. The history
 * keeps that result whichever way the command ran — an activity (`ActivityTaskCompleted`) or a local activity (the
 * `core_local_activity` marker, which keeps no input) — so the review reads these records and never a command's input.
 */
import { z } from 'zod';
import { CommunityId, DistrictId, IncidentId, Phase, Severity, Slug } from './common';
import type { ActivityName } from './names';
import { CommunityFigures } from './incident';
import { PlanStep } from './plan';
import { PersonType, TaskStatus } from './services/personnel';
import { JobStatus } from './services/notification';
import { ReservationStatus } from './services/supplies';

// Fields a record echoes from its request are optional: histories recorded before records echoed them (generations
// v1–v4) keep them only in the activity's input, where the review still finds them.

/** A broadcast job as `broadcast` started it or `awaitBroadcast` last saw it. */
export const BroadcastOutcome = z.object({
  jobId: z.string(),
  status: JobStatus,
  total: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  /** False when the deadline passed before every batch was sent. */
  completed: z.boolean(),
  stepId: z.string().optional(),
  channels: z.array(z.string()).optional(),
  groups: z.array(z.string()).optional(),
  /**
   * The community the job warns. Records from a district's warn (patch `district-warns`) need it, because a district
   * run warns all its communities; a community run's records may carry it too.
   */
  communityId: z.string().optional(),
});
export type BroadcastOutcome = z.infer<typeof BroadcastOutcome>;

/** Several jobs as `awaitBroadcasts` last saw them (a district's warnings, one poll for all its communities). */
export const BroadcastsOutcome = z.object({ jobs: z.array(BroadcastOutcome) });
export type BroadcastsOutcome = z.infer<typeof BroadcastsOutcome>;

/** A reservation after `reserveSupplies`, `issueSupplies`, `returnSupplies` or `releaseSupplies`. */
export const ReservationOutcome = z.object({
  reservationId: z.string(),
  status: ReservationStatus,
  /** Units reserved across lines. */
  units: z.number().int(),
  /** Units the community asked for and did not get. */
  shortfall: z.number().int(),
  /** The `reserve` step and what it asked for, per item (reserve only). */
  stepId: z.string().optional(),
  lines: z.array(z.object({ itemCode: z.string(), quantity: z.number().int() })).optional(),
  /**
   * The community the reservation is for (reserve only). Records from a district's run (patch `district-steps`) need
   * it, because a district reserves for all its communities; issue and return are matched by reservation id.
   */
  communityId: z.string().optional(),
});
export type ReservationOutcome = z.infer<typeof ReservationOutcome>;

/** A task after `dispatchResponder` (its step and role) or `fallbackResponder` (its next owner). */
export const TaskOutcome = z.object({
  taskId: z.string(),
  ownerId: z.string().optional(),
  status: TaskStatus,
  stepId: z.string().optional(),
  role: PersonType.optional(),
});
export type TaskOutcome = z.infer<typeof TaskOutcome>;

/** Sites `openSites` opened (or `closeSites` closed), ids only; for open, places asked for and not found. */
export const SiteOutcome = z.object({
  siteIds: z.array(z.string()),
  /** Places the sites hold. */
  capacity: z.number().int(),
  /** Places asked for and not found (open only). */
  shortfall: z.number().int(),
  stepId: z.string().optional(),
  /**
   * Places asked for (open only). Without it the review knows the ask only when the sites fell short (capacity +
   * shortfall); with no shortfall it is at most `capacity`.
   */
  requested: z.number().int().optional(),
  /** The kind of each of `siteIds`, in the same order. */
  kinds: z.array(z.string()).optional(),
  /** The community of the sites, so a record from a district's run can be placed as `ReservationOutcome`'s is. */
  communityId: z.string().optional(),
});
export type SiteOutcome = z.infer<typeof SiteOutcome>;

export const AwardOutcome = z.object({ entryId: z.string(), points: z.number() });
export type AwardOutcome = z.infer<typeof AwardOutcome>;

/** The record schema of each community command the review reads, by activity name. */
export const COMMAND_RECORDS = {
  broadcast: BroadcastOutcome,
  awaitBroadcast: BroadcastOutcome,
  awaitBroadcasts: BroadcastsOutcome,
  reserveSupplies: ReservationOutcome,
  issueSupplies: ReservationOutcome,
  returnSupplies: ReservationOutcome,
  releaseSupplies: ReservationOutcome,
  openSites: SiteOutcome,
  closeSites: SiteOutcome,
  dispatchResponder: TaskOutcome,
  fallbackResponder: TaskOutcome,
  awardPoints: AwardOutcome,
} as const satisfies Partial<Record<ActivityName, z.ZodType>>;
export type CommandName = keyof typeof COMMAND_RECORDS;
export type CommandRecord<K extends CommandName> = z.infer<(typeof COMMAND_RECORDS)[K]>;

/** A reservation made in mobilize and carried through issue (respond) and return (recover). */
export const ReservationRecord = z.object({
  /** The `reserve` step that made it; also the stable part of later idempotency keys. */
  stepId: z.string(),
  reservationId: z.string(),
  status: ReservationStatus,
  /** Units actually reserved across all lines. */
  units: z.number().int(),
});
export type ReservationRecord = z.infer<typeof ReservationRecord>;

/** Sites an `open-site` step opened in the community, closed when recover ends or on stand-down. */
export const SiteRecord = z.object({
  stepId: z.string(),
  siteIds: z.array(z.string()),
  /** Places the opened sites hold, and places asked for but not found. */
  capacity: z.number().int(),
  shortfall: z.number().int(),
  status: z.enum(['open', 'closed']),
});
export type SiteRecord = z.infer<typeof SiteRecord>;

/** A dispatched task as the community workflow knows it (ids only, never names or phones). */
export const TaskRecord = z.object({
  stepId: z.string(),
  taskId: z.string(),
  role: PersonType,
  ownerId: z.string().optional(),
  status: z.enum(['assigned', 'acknowledged', 'done', 'missed', 'incomplete', 'stood-down']),
  hours: z.number().optional(),
  awarded: z.boolean(),
});
export type TaskRecord = z.infer<typeof TaskRecord>;

/** Something a reviewer should know about a community: a step not executed, a missed deadline, a service refusal. */
export const CommunityNote = z.object({ phase: z.union([Phase, z.literal('stand-down')]), stepId: z.string(), note: z.string() });
export type CommunityNote = z.infer<typeof CommunityNote>;

/** What survives between phases for one community: returned by each phase's run and handed to the next. */
export const CommunityState = z.object({
  districtId: DistrictId,
  communityId: CommunityId,
  population: z.number().int().nonnegative(),
  lastPhase: Phase.optional(),
  reservations: z.array(ReservationRecord),
  tasks: z.array(TaskRecord),
  /** Absent in states recorded before sites were opened (patch `open-site`). */
  sites: z.array(SiteRecord).optional(),
  figures: CommunityFigures,
  notes: z.array(CommunityNote),
});
export type CommunityState = z.infer<typeof CommunityState>;

/** What every child needs to know about the incident it works for. */
export const PhaseContext = z.object({
  incidentId: IncidentId,
  planId: Slug,
  planVersion: z.number().int().positive(),
  /** The phase the steps belong to; compensations run under the phase in which the stand-down arrived. */
  phase: Phase,
  severity: Severity,
  drill: z.boolean(),
  severityScaling: z.object({ I: z.number().positive(), II: z.number().positive(), III: z.number().positive(), IV: z.number().positive() }),
  /** `steps`: run the plan's community steps; `stand-down`: run the compensations instead. */
  mode: z.enum(['steps', 'stand-down']),
});
export type PhaseContext = z.infer<typeof PhaseContext>;

export const CommunityPhaseInput = z.object({ context: PhaseContext, steps: z.array(PlanStep), state: CommunityState });
export type CommunityPhaseInput = z.infer<typeof CommunityPhaseInput>;

export const DistrictPhaseInput = z.object({
  context: PhaseContext,
  districtId: DistrictId,
  steps: z.array(PlanStep),
  communities: z.array(CommunityState),
  /**
   * The district itself runs the warn phase's leading notify steps for all its communities (patch `district-warns`):
   * one run per district instead of one per community. Absent in inputs recorded before: every step ran per community.
   */
  warnHere: z.boolean().optional(),
  /**
   * The district itself runs every one of `steps` for all its communities (patch `district-steps`: a segment's leading
   * notify and reserve steps, all districts at once); no community runs. Absent: community runs, as above.
   */
  stepsHere: z.boolean().optional(),
});
export type DistrictPhaseInput = z.infer<typeof DistrictPhaseInput>;
