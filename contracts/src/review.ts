import { z } from 'zod';
import { CommunityId, IncidentId, IncidentPhase, IncidentStatus, LocalizedText, Phase, Severity, Slug } from './common';
import { CommunityFigures } from './incident';
import { exactlyOne } from './rules';

/**
 * The after-action report of the review phase (`GET /v1/incidents/:id/report`), its resilience indicators and
 * the plan revisions it proposes (`POST /v1/incidents/:id/report/proposals/accept`). A report is stored once
 * produced and never changes afterwards; figures a source could not give are `null`, and `sources` says why.
 */

const Seconds = z.number().nonnegative().nullable();
const Share = z.number().min(0).max(1);

/** One line of the report's timeline, rebuilt from the incident workflow's own history. */
export const ReportTimelineEntry = z.object({
  at: z.string(),
  kind: z.enum(['activation', 'phase', 'command', 'timer', 'deadline', 'escalation', 'note', 'closed']),
  phase: IncidentPhase.optional(),
  what: z.string(),
  detail: z.string().optional(),
});
export type ReportTimelineEntry = z.infer<typeof ReportTimelineEntry>;

export const PhaseSpan = z.object({ phase: Phase, startedAt: z.string(), endedAt: z.string().nullable(), seconds: Seconds });
export const CommandTaken = z.object({ at: z.string(), type: z.string(), reason: z.string(), by: z.string().optional(), outcome: z.enum(['accepted', 'rejected']) });

export const ReachFigure = z.object({ share: Share, seconds: Seconds });
export const WarningFigures = z.object({
  /** From activation to the first warning broadcast being under way. */
  timeToWarnSeconds: Seconds,
  /** Time from activation to reach each share of the warned residents. */
  reach: z.array(ReachFigure),
  total: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int().nullable(),
  byChannel: z.array(z.object({ channel: z.string(), sent: z.number().int(), seconds: Seconds })),
  replies: z.number().int().nullable(),
});

export const AckFigure = z.object({
  role: z.string(),
  tasks: z.number().int(),
  acknowledged: z.number().int(),
  rate: Share.nullable(),
  meanDelaySeconds: Seconds,
  maxDelaySeconds: Seconds,
  fallbacks: z.number().int(),
  missed: z.number().int(),
});

export const SupplyItemFigure = z.object({
  itemCode: z.string(),
  requested: z.number().int(),
  reserved: z.number().int().nullable(),
  issued: z.number().int().nullable(),
  returned: z.number().int().nullable(),
  shortfall: z.number().int(),
});
export const SupplyShortfall = z.object({ communityId: CommunityId, itemCode: z.string(), requested: z.number().int(), missing: z.number().int() });
export const StaleStock = z.object({ itemCode: z.string(), depotId: z.string().optional(), lotId: z.string().optional(), quantity: z.number().int(), reason: z.string() });

/** The sites one `open-site` step opened in one community: places asked for against places held, when opened and closed. */
export const SiteOpeningFigure = z.object({
  communityId: CommunityId,
  stepId: z.string(),
  phase: Phase.optional(),
  /** The kinds the step asked for (the plan's). */
  siteKinds: z.array(z.string()),
  siteIds: z.array(z.string()),
  /** The kind of each of `siteIds`, in the same order, when the workflow's record says. */
  kinds: z.array(z.string()).optional(),
  /** Places asked for; null when the record does not say and the sites were not short (then at most `capacity`). */
  requested: z.number().int().nullable(),
  /** Places the opened sites hold, and places asked for and not found. */
  capacity: z.number().int(),
  shortfall: z.number().int(),
  openedAt: z.string(),
  /** When the sites were closed; null when they were still open at the end. */
  closedAt: z.string().nullable(),
  /** Still open when the incident closed (never closed, or the close failed). */
  openAtEnd: z.boolean(),
});
export type SiteOpeningFigure = z.infer<typeof SiteOpeningFigure>;

export const VolunteerFigures = z.object({
  hours: z.number().nullable(),
  points: z.number().int(),
  awards: z.number().int(),
  participants: z.number().int(),
  pointsByType: z.record(z.string(), z.number()),
  top: z.array(z.object({ participantId: z.string(), points: z.number(), hours: z.number().optional() })),
});

export const NeedsFigures = z.object({
  opened: z.number().int(),
  closed: z.number().int(),
  medianTimeToCloseSeconds: Seconds,
  doorKnocks: z.number().int().nullable(),
});

export const MissedDeadline = z.object({ communityId: CommunityId.optional(), phase: z.string(), stepId: z.string(), what: z.string(), rule: z.string().optional() });

export const ReportHonourCandidate = z.object({ participantId: z.string(), honour: z.string().optional(), points: z.number().optional(), reason: z.string().optional() });

/** Resistance / recovery / self-governance (抵抗力 / 恢复力 / 自治力), each in [0, 1]; formulas in packages/review/README.md. */
export const ResilienceIndicators = z.object({
  communityId: CommunityId,
  resistance: Share,
  recovery: Share,
  selfGovernance: Share,
  /** The measured figures each formula used, so a reader can recompute them. */
  inputs: z.record(z.string(), z.number().nullable()),
});
export type ResilienceIndicators = z.infer<typeof ResilienceIndicators>;

export const CommunityReport = z.object({
  communityId: CommunityId,
  districtId: z.string(),
  population: z.number().int(),
  figures: CommunityFigures,
  /** Residents per responder task the plan dispatched in the community (the incident's span of control). */
  residentsPerResponder: z.number().nullable(),
  resilience: ResilienceIndicators,
});

export const REVIEW_FINDING_CODES = [
  'supplies-shortfall',
  'stale-stock',
  'missed-acknowledgement',
  'slow-acknowledgement',
  'span-too-wide',
  'slow-warning',
  'unreached-residents',
  'deadline-missed',
  'sites-shortfall',
  'sites-left-open',
] as const;
export const ReviewFindingCode = z.enum(REVIEW_FINDING_CODES);
export type ReviewFindingCode = z.infer<typeof ReviewFindingCode>;

/** A weakness the figures show, with what was measured against which threshold. */
export const ReviewFinding = z.object({
  id: z.string(),
  code: ReviewFindingCode,
  severity: z.enum(['high', 'medium', 'low']),
  communityId: CommunityId.optional(),
  phase: Phase.optional(),
  stepId: z.string().optional(),
  itemCode: z.string().optional(),
  role: z.string().optional(),
  gridIds: z.array(z.string()).optional(),
  personIds: z.array(z.string()).optional(),
  measured: z.number().nullable(),
  threshold: z.number().nullable(),
  message: LocalizedText,
});
export type ReviewFinding = z.infer<typeof ReviewFinding>;

/** One JSON-Patch (RFC 6902) operation on the plan document; `from` is the value it replaces, checked on accept. */
export const PlanPatchOperation = z.object({
  op: z.enum(['add', 'replace', 'remove']),
  /** JSON Pointer into the plan document, e.g. `/phases/mobilize/0/items/0/minimum`. */
  path: z.string().regex(/^(\/[^/]*)+$/, 'a JSON Pointer'),
  value: z.unknown().optional(),
  from: z.unknown().optional(),
});
export type PlanPatchOperation = z.infer<typeof PlanPatchOperation>;

export const PROPOSAL_KINDS = ['raise-stock-target', 'add-backup-role', 'split-span-of-control', 'shorten-deadline', 'add-channel'] as const;
export const PlanProposalKind = z.enum(PROPOSAL_KINDS);

/** Something people must do beside the plan change; `procure` is machine-readable for the supply office. */
export const ProposalAction = LocalizedText.extend({
  procure: z.object({ communityId: CommunityId, itemCode: z.string(), quantity: z.number().int().nonnegative() }).optional(),
});

/** A concrete change to the pinned plan version that answers one or more findings. */
export const PlanProposal = z.object({
  id: z.string(),
  kind: PlanProposalKind,
  findingIds: z.array(z.string()).min(1),
  title: LocalizedText,
  rationale: LocalizedText,
  patch: z.array(PlanPatchOperation).min(1),
  /** What people must do beside the plan change (e.g. procure stock up to the new target). */
  actions: z.array(ProposalAction).default([]),
});
export type PlanProposal = z.infer<typeof PlanProposal>;

/** Which source each part of the report came from, and what was missing (the report degrades, never fails). */
export const ReportSources = z.record(z.string(), z.object({ ok: z.boolean(), note: z.string().optional() }));

export const AfterActionReport = z.object({
  schemaVersion: z.literal(1),
  incidentId: IncidentId,
  title: z.string(),
  planId: Slug,
  planVersion: z.number().int(),
  initialSeverity: Severity,
  finalSeverity: Severity,
  drill: z.boolean(),
  status: IncidentStatus,
  outcome: z.enum(['completed', 'stood-down']),
  startedAt: z.string(),
  closedAt: z.string(),
  durationSeconds: z.number().nonnegative(),
  generatedAt: z.string(),
  timeline: z.array(ReportTimelineEntry),
  phases: z.array(PhaseSpan),
  commands: z.array(CommandTaken),
  warning: WarningFigures,
  acknowledgements: z.array(AckFigure),
  nonAcknowledging: z.array(z.object({ personId: z.string(), role: z.string().optional(), communityId: z.string().optional() })),
  supplies: z.object({
    totals: z.object({ reserved: z.number().int(), issued: z.number().int(), returned: z.number().int(), shortfall: z.number().int() }),
    byItem: z.array(SupplyItemFigure),
    shortfalls: z.array(SupplyShortfall),
    staleStock: z.array(StaleStock),
  }),
  /** Sites opened for residents, per community and step; absent in reports produced before the review read sites. */
  sites: z.array(SiteOpeningFigure).optional(),
  volunteers: VolunteerFigures,
  needs: NeedsFigures.nullable(),
  deadlines: z.object({ missed: z.array(MissedDeadline), escalations: z.array(ReportTimelineEntry) }),
  honourCandidates: z.array(ReportHonourCandidate),
  communities: z.array(CommunityReport),
  readiness: z.object({ grids: z.array(z.object({ gridId: z.string(), communityId: z.string().optional(), span: z.number(), tooWide: z.boolean() })) }).nullable(),
  findings: z.array(ReviewFinding),
  proposals: z.array(PlanProposal),
  sources: ReportSources,
});
export type AfterActionReport = z.infer<typeof AfterActionReport>;

export const ReportQuery = z.object({ format: z.enum(['json', 'html']).optional(), lang: z.enum(['zh-CN', 'en']).optional() }).strict();
export type ReportQuery = z.infer<typeof ReportQuery>;

/** Accept some (`proposalIds`) or all (`all: true`) of a report's proposals. */
export const AcceptProposalsRequest = exactlyOne(
  z.strictObject({ proposalIds: z.array(z.string().min(1).max(100)).min(1).max(100).optional(), all: z.literal(true).optional() }),
  [['proposalIds'], ['all']],
  { message: 'name proposalIds or all: true (not both)' },
);
export type AcceptProposalsRequest = z.infer<typeof AcceptProposalsRequest>;

export const AcceptProposalsResult = z.object({
  incidentId: IncidentId,
  planId: Slug,
  fromVersion: z.number().int(),
  version: z.number().int(),
  accepted: z.array(z.string()),
  acceptedBy: z.string(),
  acceptedAt: z.string(),
  /** Per-community stock targets the accepted `raise-stock-target` proposals set in the supplies service (its readiness then reports stock below them). */
  stockTargets: z.array(z.object({ communityId: CommunityId, itemCode: z.string(), quantity: z.number().int().nonnegative() })).optional(),
  /** False when the supplies service could not be told the targets (the plan version exists regardless). */
  stockTargetsPublished: z.boolean().optional(),
});
export type AcceptProposalsResult = z.infer<typeof AcceptProposalsResult>;
