import { z } from 'zod';
import { Area, CommunityId, DistrictId, Phase, Severity, Slug } from '../common';
import { AudienceGroup, Channel } from '../services/notification';
import { PersonType } from '../services/personnel';
import { Preview as SuppliesPreview } from '../services/supplies';

/**
 * `POST /v1/plans/:id/preview`: what a plan would do for an area at a severity, answered without side effects. The
 * area is the incident start's (`communityIds`, `districtIds` or `cityWide`); `version` defaults to the version an
 * incident would run (the latest approved); a draft may be named, as for a drill.
 */
export const PlanPreviewRequest = z.strictObject({
  severity: Severity,
  area: Area,
  version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});
export type PlanPreviewRequest = z.infer<typeof PlanPreviewRequest>;

const Count = z.number().int().nonnegative();

/** One step of the plan as the interpreter would take it, in plan order. */
export const PreviewStep = z.object({
  phase: Phase,
  stepId: Slug,
  kind: z.string(),
  /** `communities`: fanned out to every community of the area; `incident`: run once by the incident (await, collect). */
  runs: z.enum(['communities', 'incident']),
  /** False when the step's `severities` leave it out at this severity. */
  applies: z.boolean(),
});

export const PreviewCommunity = z.object({
  districtId: DistrictId,
  subDistrictId: Slug.optional(),
  communityId: CommunityId,
  /** The roster's population (what reserve quantities and site places are scaled from). */
  population: Count,
  /** Residents in the notification registry, and the vulnerable among them. */
  residents: Count,
  vulnerable: Count,
});

/** One notify step over the area: who it reaches, on which channel, and how long it is predicted to take. */
export const PreviewAudience = z.object({
  phase: Phase,
  stepId: Slug,
  groups: z.array(AudienceGroup),
  channels: z.array(Channel),
  recipients: Count,
  vulnerable: Count,
  /** Messages per channel: every recipient on the first channel (later channels carry only fallbacks for failed sends). */
  messages: z.partialRecord(Channel, Count),
  /** Seconds to reach every recipient at the first channel's rate, for the slowest community (communities run side by side). */
  predictedSeconds: z.number().nonnegative(),
  /** Communities whose broadcast notification would refuse, with why. */
  refused: z.array(z.object({ communityId: CommunityId, code: z.string(), message: z.string() })),
});

export const PlanPreview = z.object({
  planId: Slug,
  planVersion: z.number().int(),
  severity: Severity,
  /** The plan's severity multiplier at this severity (applied to reserve quantities). */
  scaling: z.number().positive(),
  steps: z.array(PreviewStep),
  totals: z.object({ districts: Count, communities: Count, population: Count, residents: Count, vulnerable: Count }),
  /** Residents the notify steps' audience groups hold, vulnerable first. */
  residentsByGroup: z.array(z.object({ group: AudienceGroup, residents: Count })),
  districts: z.array(z.object({ districtId: DistrictId, communities: Count, population: Count, residents: Count, vulnerable: Count })),
  communities: z.array(PreviewCommunity),
  notification: z.object({
    audiences: z.array(PreviewAudience),
    /** Messages per channel over every notify step. */
    messages: z.partialRecord(Channel, Count),
    /** The notify steps' predicted seconds added up in plan order (each waits for its broadcast). */
    predictedSeconds: z.number().nonnegative(),
  }),
  supplies: SuppliesPreview.extend({
    /** Units per reserve step and item over the area: requested (scaled), reservable as a drill plans them, short. */
    byItem: z.array(z.object({ stepId: Slug, itemCode: Slug, requested: Count, reservable: Count, shortfall: Count })),
  }),
  personnel: z.object({
    /** One task per dispatch step and community. */
    tasks: z.array(z.object({ phase: Phase, stepId: Slug, role: PersonType, skill: Slug.optional(), tasks: Count, communitiesWithoutCandidates: z.array(CommunityId) })),
    /** People needed (tasks) vs available (qualified, available people, per community, summed) by role and skill. */
    byRole: z.array(z.object({ role: PersonType, skill: Slug.optional(), needed: Count, available: Count, short: Count })),
    /** Spans of control too wide and other overlay gaps (personnel readiness), per community. */
    spansOfControl: z.array(z.object({ communityId: CommunityId, code: z.string(), message: z.string(), value: z.number().optional(), limit: z.number().optional() })),
  }),
});
export type PlanPreview = z.infer<typeof PlanPreview>;
