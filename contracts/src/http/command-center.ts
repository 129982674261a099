import { z } from 'zod';
import { DistrictId, IncidentId, IncidentPhase, IncidentStatus, LocalizedText, Severity, Slug } from '../common';
import { ErrorBody } from '../errors';
import { IncidentView } from '../incident';
import { personnel } from '../services/personnel';
import { supplies } from '../services/supplies';
import { PlanDocument, PlanKind, PostedPlanDocument } from '../plan';
import { exactlyOne } from '../rules';

/**
 * HTTP shapes of the command-center that have no contract schema elsewhere: path, query and body schemas its routes
 * parse (`services/command-center/src/http.ts`, `review/routes.ts`), and answer schemas the service assembles from
 * contract types and the OpenAPI document describes. Bodies that are also workflow messages (StartIncidentRequest,
 * IncidentCommand, AcceptProposalsRequest, ReportQuery) live with their records in `../incident.ts` and `../review.ts`.
 */

/** `:id` of `/v1/incidents/:id…` (other path parameters are not checked). */
export const IncidentIdParams = z.object({ id: Slug });
/** `:id` of `/v1/plans/:id…`. */
export const PlanIdParams = z.object({ id: Slug });
/** `GET /v1/plans/:id` query: a specific version (default: the latest). */
export const PlanVersionQuery = z.object({ version: z.coerce.number().int().positive().optional() }).strict();
/** `GET /v1/audit` query: entries about one target, newest first. */
export const AuditQuery = z.object({ target: z.string().min(1).max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();
export type AuditQuery = z.infer<typeof AuditQuery>;
/**
 * `POST /v1/plans` and `POST /v1/plans/:id/versions` body as the route parses it: `{ plan }` and nothing else. The plan
 * document itself is checked by the plan registry (PlanDocument plus step-id uniqueness); PlanCreateRequest and
 * PlanVersionRequest below describe it for the OpenAPI document.
 */
export const PublishPlanBody = z.object({ plan: z.record(z.string(), z.unknown()) }).strict();
export type PublishPlanBody = z.infer<typeof PublishPlanBody>;

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `GET /v1/incidents` query: every filter optional, unknown parameters refused. */
export const IncidentListQuery = z
  .object({
    phase: IncidentPhase.optional(),
    severity: Severity.optional(),
    district: DistrictId.optional(),
    drill: flag.optional(),
    status: IncidentStatus.optional(),
    plan: Slug.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type IncidentListQuery = z.infer<typeof IncidentListQuery>;

export const IncidentSummary = z.object({
  incidentId: IncidentId,
  workflowId: z.string(),
  planId: Slug,
  planVersion: z.number().int(),
  severity: Severity,
  title: z.string(),
  drill: z.boolean(),
  createdAt: z.iso.datetime(),
  phase: IncidentPhase.describe('From the workflow (search attribute LifelinePhase).'),
  status: IncidentStatus,
});
export type IncidentSummary = Omit<z.infer<typeof IncidentSummary>, 'createdAt'> & { createdAt: Date };
export const IncidentList = z.object({ incidents: z.array(IncidentSummary) });

export const IncidentDetail = IncidentView.extend({
  workflowId: z.string(),
  links: z.object({
    temporalUi: z.string().describe('The incident workflow in the Temporal UI.'),
    trace: z.string().optional().describe("With tracing on: the trace of the request that started the incident, in Jaeger's UI."),
    traceApi: z.string().optional().describe("With tracing on: the same trace from Jaeger's HTTP API (JSON)."),
  }),
});

/**
 * A version's place in its lifecycle: a `draft` until a commander other than its author (or an admin) approves it;
 * incidents run the latest `approved` version; a `retired` version never starts again (running incidents keep it).
 */
export const PlanVersionStatus = z.enum(['draft', 'approved', 'retired']);
export type PlanVersionStatus = z.infer<typeof PlanVersionStatus>;
export const PlanSummary = z.strictObject({
  id: Slug,
  version: z.number().int().positive().describe('The latest version (whatever its status).'),
  status: PlanVersionStatus.describe('The status of the latest version.'),
  approvedVersion: z.number().int().positive().nullable().describe('The version new incidents run: the latest approved one (null: none yet).'),
  title: LocalizedText,
  kind: PlanKind,
  hazard: z.string(),
});
export const PlanList = z.object({ plans: z.array(PlanSummary) });
export const PlanVersionInfo = z.strictObject({
  version: z.number().int().positive(),
  status: PlanVersionStatus,
  author: z.string().describe('Who published it (`library` for the bundled plans).'),
  createdBy: z.string().describe('The author, and for a version made by accepting review proposals the review it came from.'),
  createdAt: z.iso.datetime(),
  approvedBy: z.string().optional(),
  approvedAt: z.iso.datetime().optional(),
  retiredBy: z.string().optional(),
  retiredAt: z.iso.datetime().optional(),
  retireReason: z.string().optional(),
});
export const PlanAnswer = z.object({ plan: PlanDocument, versions: z.array(PlanVersionInfo) });
export const PlanCreated = z.object({ plan: PlanDocument });

/** A posted revision: a plan document (unknown fields refused at every level) whose id (if given) must match the URL; the server assigns the version. */
export const PlanRevision = z.strictObject({
  ...PostedPlanDocument.shape,
  id: Slug.optional().describe('Must equal the plan id in the URL when given.'),
  version: z.number().int().positive().optional().describe('Ignored: the server assigns the next version.'),
});
export const PlanVersionRequest = z.strictObject({ plan: PlanRevision });
/** A new plan: a full plan document; the server stores it as version 1. */
export const PlanCreateRequest = z.strictObject({ plan: PlanRevision.extend({ id: Slug, version: z.literal(1).optional().describe('Ignored: a new plan is version 1.') }) });

/** One JetStream event of an incident on the live stream (`event: event`). */
export const LiveEventData = z.object({
  seq: z.number().int().positive().describe('JetStream stream sequence; also the SSE id, for Last-Event-ID.'),
  subject: z.string(),
  type: z.string().describe('`<service>.<event>`, as in the AsyncAPI document.'),
  time: z.string(),
  data: z.unknown(),
});

/** `GET /v1/readiness`: one area, a community or a district. */
export const ReadinessQuery = exactlyOne(
  z.strictObject({ community: Slug.optional(), district: DistrictId.optional(), severity: Severity.optional() }),
  [['community'], ['district']],
  { message: 'name community or district (one of them)' },
);
export type ReadinessQuery = z.infer<typeof ReadinessQuery>;
export const AreaReadiness = z.object({
  areaId: Slug,
  supplies: supplies.readiness.result.nullable().describe('lifeline.supplies.readiness; null when the service did not answer (see problems).'),
  personnel: personnel.readiness.result.nullable().describe('lifeline.personnel.readiness; null when the service did not answer (see problems).'),
  problems: z.array(ErrorBody.extend({ service: z.string() })),
});

/** The SHA-256 (hex) of a chained audit entry, or the `prevHash` of the chain's first entry (64 zeros). */
const AuditHash = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * One audit entry. Entries since the hash chain began carry their place in it (`seq`, `id`, `prevId`, `prevHash`,
 * `hash`); entries written before it carry none and are not covered by verification. `subject` and `detail` are
 * stored sealed (they may name a person) and opened for the auditor here.
 */
export const AuditEntry = z.strictObject({
  seq: z.number().int().positive().optional().describe('Place in the hash chain (1, 2, …); absent on entries from before the chain began.'),
  id: z.string().optional().describe('The entry id (`audit-<seq, 12 digits>`).'),
  at: z.iso.datetime(),
  subject: z.string().optional(),
  role: z.string().optional(),
  action: z.string(),
  target: z.string(),
  detail: z.unknown().optional(),
  prevId: z.string().nullable().optional().describe('The id of the entry before this one (null on the first).'),
  prevHash: AuditHash.optional(),
  hash: AuditHash.optional().describe('SHA-256 over the canonical serialization of this entry with prevId and prevHash.'),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditAnswer = z.strictObject({ entries: z.array(AuditEntry) });

/** `GET /v1/audit/verify` query: optionally a head recorded earlier, which the chain must still hold. */
export const AuditVerifyQuery = z.strictObject({
  head: z
    .string()
    .regex(/^[1-9][0-9]*:[0-9a-f]{64}$/, 'a recorded head as <seq>:<hash>')
    .optional()
    .describe('`<seq>:<hash>` of a head recorded earlier: the entry at seq must still exist with that hash (catches removal of the newest entries).'),
});
export type AuditVerifyQuery = z.infer<typeof AuditVerifyQuery>;

/** The first entry of the audit chain that does not follow from the ones before it. */
export const AuditBreak = z.strictObject({
  kind: z.enum(['edited', 'deleted', 'inserted']),
  seq: z.number().int().nullable().describe('The sequence number of the entry (null for an unchained entry inserted after the chain began).'),
  id: z.string().nullable().describe('The entry id (for a deleted entry, the id its successor links to; null when none is known).'),
  reason: z.string(),
});
export type AuditBreak = z.infer<typeof AuditBreak>;

export const AuditVerifyAnswer = z.strictObject({
  ok: z.boolean(),
  entries: z.number().int().nonnegative().describe('Chained entries walked.'),
  unchained: z.number().int().nonnegative().describe('Entries from before the chain began: kept, served, not covered.'),
  head: z.strictObject({ seq: z.number().int().positive(), id: z.string(), hash: AuditHash }).nullable().describe('The newest chained entry; record it to check later that nothing after it was removed.'),
  broken: AuditBreak.nullable().describe('The first entry edited, deleted or inserted (null when the chain holds).'),
});
export type AuditVerifyAnswer = z.infer<typeof AuditVerifyAnswer>;

export const HealthAnswer = z.object({ status: z.enum(['ok', 'degraded']), checks: z.record(z.string(), z.boolean()) });

/** One part of the running system, as the command-center sees it. */
export const SystemPart = z.object({
  name: z.string().describe('store, nats, temporal, supplies, personnel, notification, incentives or worker'),
  kind: z.enum(['infrastructure', 'service', 'worker']),
  up: z.boolean(),
  /** Why a part counts as down (no responders, timeout, no recent poller…), or what answered. */
  detail: z.string().optional(),
  /** A service's version from its NATS services-framework ping. */
  version: z.string().optional(),
});
export const StatusAnswer = z.object({ status: z.enum(['ok', 'degraded']), checkedAt: z.iso.datetime(), parts: z.array(SystemPart) });
export type StatusAnswer = z.infer<typeof StatusAnswer>;

/** `:id` and `:version` of `/v1/plans/:id/versions/:version/{approve,retire}`. */
export const PlanVersionParams = z.strictObject({ id: Slug, version: z.coerce.number().int().positive() });
/** `:id`, `:a` and `:b` of `/v1/plans/:id/versions/:a/diff/:b`. */
export const PlanDiffParams = z.strictObject({ id: Slug, a: z.coerce.number().int().positive(), b: z.coerce.number().int().positive() });
/** `POST …/approve` body (may be empty): an optional note kept in the audit log. */
export const ApprovePlanBody = z.strictObject({ note: z.string().min(1).max(500).optional() });
export type ApprovePlanBody = z.infer<typeof ApprovePlanBody>;
/** `POST …/retire` body: why the version must not start again. */
export const RetirePlanBody = z.strictObject({ reason: z.string().min(1).max(500) });
export type RetirePlanBody = z.infer<typeof RetirePlanBody>;
/** The version after an approve or a retire. */
export const PlanVersionAnswer = z.strictObject({ planId: Slug, version: PlanVersionInfo });

/** One difference between two versions; steps are matched by id, so `phases.<phase>.<stepId>.<field>`. */
export const PlanChange = z.strictObject({
  path: z.string(),
  change: z.enum(['added', 'removed', 'changed', 'reordered']),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
});
export type PlanChange = z.infer<typeof PlanChange>;
export const PlanDiff = z.strictObject({
  planId: Slug,
  from: z.number().int().positive(),
  to: z.number().int().positive(),
  changes: z.array(PlanChange),
  text: z.string().describe('The same changes, one line each (`+` added, `-` removed, `~` changed, `↕` reordered).'),
});
export type PlanDiff = z.infer<typeof PlanDiff>;
