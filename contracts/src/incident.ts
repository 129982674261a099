import { z } from 'zod';
import { Area, CommunityId, DistrictId, IncidentId, IncidentPhase, IncidentStatus, Phase, Severity, Slug } from './common';
import { PlanDocument } from './plan';

/** What the command-center hands the incident workflow; the plan version is pinned here, in history. */
export const IncidentInput = z.object({
  incidentId: IncidentId,
  title: z.string().min(1).max(200),
  severity: Severity,
  drill: z.boolean(),
  area: Area,
  plan: PlanDocument,
  requestedBy: z.string().min(1).max(100),
});
export type IncidentInput = z.infer<typeof IncidentInput>;

export const CommunityFigures = z.object({
  notification: z.object({ jobs: z.number().int(), total: z.number().int(), sent: z.number().int() }),
  supplies: z.object({ reserved: z.number().int(), issued: z.number().int(), returned: z.number().int(), shortfall: z.number().int() }),
  personnel: z.object({ tasks: z.number().int(), acknowledged: z.number().int(), done: z.number().int(), fallbacks: z.number().int(), missed: z.number().int() }),
  incentives: z.object({ awards: z.number().int(), points: z.number().int() }),
});
export type CommunityFigures = z.infer<typeof CommunityFigures>;

export const AreaProgress = z.object({ districtId: DistrictId, communityId: CommunityId, population: z.number().int(), lastPhase: Phase.optional(), figures: CommunityFigures });
export type AreaProgress = z.infer<typeof AreaProgress>;

export const TimelineEntry = z.object({ at: z.string(), what: z.string(), phase: IncidentPhase.optional(), detail: z.string().optional() });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const Review = z.object({
  incidentId: IncidentId,
  planId: Slug,
  planVersion: z.number().int(),
  outcome: z.enum(['completed', 'stood-down']),
  durationSeconds: z.number(),
  totals: CommunityFigures,
  findings: z.array(z.object({ communityId: CommunityId, finding: z.string() })),
});
export type Review = z.infer<typeof Review>;

/**
 * An approval gate: a deadline passed under rule `ask-commander`, or an `await` step `for: decision`. One gate per
 * step, however many communities wait on it; the commander resolves it with a `decide` command.
 */
export const Gate = z.object({
  gateId: z.string(),
  phase: Phase,
  stepId: Slug,
  question: z.string(),
  options: z.array(Slug).min(1),
  status: z.enum(['open', 'decided']),
  /** Communities waiting on (or told) the decision. */
  communities: z.number().int(),
  decision: Slug.optional(),
  reason: z.string().optional(),
});
export type Gate = z.infer<typeof Gate>;

/** A drill's readiness report: what would have failed for real. */
export const DrillReadiness = z.object({
  ready: z.boolean(),
  shortfalls: z.array(z.object({ communityId: CommunityId, units: z.number().int() })),
  unacknowledgedRoles: z.array(z.object({ role: z.string(), stepId: Slug, missed: z.number().int(), communities: z.array(CommunityId) })),
  unreached: z.array(z.object({ communityId: CommunityId, sent: z.number().int(), total: z.number().int() })),
  /** Spans of control too wide to mobilise and other overlay gaps, from personnel's readiness check (absent if it failed). */
  spansOfControl: z.array(z.object({ communityId: CommunityId, code: z.string(), message: z.string(), value: z.number().optional(), limit: z.number().optional() })).optional(),
});
export type DrillReadiness = z.infer<typeof DrillReadiness>;

/** The incident as the workflow knows it (query `status`). */
export const IncidentView = z.object({
  incidentId: IncidentId,
  title: z.string(),
  planId: Slug,
  planVersion: z.number().int(),
  severity: Severity,
  drill: z.boolean(),
  phase: IncidentPhase,
  status: IncidentStatus,
  areas: z.array(AreaProgress),
  timeline: z.array(TimelineEntry),
  review: Review.optional(),
  /** Approval gates opened so far (open ones wait for a `decide` command). */
  gates: z.array(Gate).optional(),
  /** Drill mode only: the readiness report written when the drill closes. */
  readiness: DrillReadiness.optional(),
});
export type IncidentView = z.infer<typeof IncidentView>;

const commandReason = z.string().min(1).max(500);
/**
 * The commands route's body: the operator commands, refusing unknown fields (a mistyped `severty` is a 400, not a
 * command without it). The workflow's Update validator reads the same commands leniently: `IncidentCommand` in
 * `./inbound` (a test holds the two to one shape).
 */
export const IncidentCommandRequest = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('advance'), reason: commandReason }),
  z.strictObject({ type: z.literal('stand-down'), reason: commandReason }),
  z.strictObject({ type: z.literal('escalate'), reason: commandReason, severity: Severity.optional() }),
  z.strictObject({ type: z.literal('deescalate'), reason: commandReason, severity: Severity.optional() }),
  /** Resolve an open approval gate with one of its options. */
  z.strictObject({ type: z.literal('decide'), reason: commandReason, gateId: z.string().min(1).max(200), decision: Slug }),
]);
export const CommandResult = z.object({ accepted: z.literal(true), phase: IncidentPhase, severity: Severity });
export type CommandResult = z.infer<typeof CommandResult>;

// HTTP bodies (command-center)
export const StartIncidentRequest = z
  .object({
    planId: Slug,
    /** Default: the plan's latest approved version. A draft may be named only for a drill; a retired version never. */
    planVersion: z.number().int().positive().optional(),
    severity: Severity,
    area: Area,
    title: z.string().min(1).max(200),
    drill: z.boolean().optional(),
  })
  .strict();
export type StartIncidentRequest = z.infer<typeof StartIncidentRequest>;
export const StartIncidentResponse = z.object({ incidentId: IncidentId, workflowId: z.string() });
