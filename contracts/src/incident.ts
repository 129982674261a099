import { z } from 'zod';
import { Area, CommunityId, DistrictId, IncidentId, IncidentPhase, IncidentStatus, Phase, Severity, Slug } from './common';
import { PlanDocument } from './plan';

/** Task queue the incident worker polls. */
export const TASK_QUEUE = 'lifeline-incidents';

/** Meaningful workflow ids, so an administrator can open any incident, district or community in the Temporal UI. */
export const workflowIds = {
  incident: (incidentId: string) => `incident-${incidentId}`,
  district: (incidentId: string, districtId: string) => `incident-${incidentId}/district-${districtId}`,
  community: (incidentId: string, communityId: string) => `incident-${incidentId}/community-${communityId}`,
};

/** Custom search attributes registered on the Temporal namespace (names and types). */
export const SEARCH_ATTRIBUTES = {
  LifelineIncidentId: 'Keyword',
  LifelinePlanId: 'Keyword',
  LifelineSeverity: 'Keyword',
  LifelinePhase: 'Keyword',
  LifelineDistrict: 'KeywordList',
  LifelineDrill: 'Bool',
} as const;

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
});
export type IncidentView = z.infer<typeof IncidentView>;

/** Operator commands, validated before they reach the workflow (Temporal Update validator). */
export const IncidentCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('advance'), reason: z.string().min(1).max(500) }),
  z.object({ type: z.literal('stand-down'), reason: z.string().min(1).max(500) }),
  z.object({ type: z.literal('escalate'), reason: z.string().min(1).max(500), severity: Severity.optional() }),
  z.object({ type: z.literal('deescalate'), reason: z.string().min(1).max(500), severity: Severity.optional() }),
]);
export type IncidentCommand = z.infer<typeof IncidentCommand>;
export const CommandResult = z.object({ accepted: z.literal(true), phase: IncidentPhase, severity: Severity });
export type CommandResult = z.infer<typeof CommandResult>;

/** Task progress a bridge turns from personnel events into signals on the community workflow. */
export const TaskSignal = z.object({ taskId: z.string(), status: z.enum(['acknowledged', 'done']), ownerId: Slug, hours: z.number().optional() });
export type TaskSignal = z.infer<typeof TaskSignal>;

/** Names of the workflow's messages; definitions live beside the workflows. */
export const MESSAGES = { status: 'status', command: 'command', taskProgress: 'taskProgress' } as const;

// HTTP bodies (command-center)
export const StartIncidentRequest = z
  .object({ planId: Slug, severity: Severity, area: Area, title: z.string().min(1).max(200), drill: z.boolean().optional() })
  .strict();
export type StartIncidentRequest = z.infer<typeof StartIncidentRequest>;
export const StartIncidentResponse = z.object({ incidentId: IncidentId, workflowId: z.string() });
