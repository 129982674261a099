import { z } from 'zod';
import { DistrictId, IncidentId, IncidentPhase, IncidentStatus, LocalizedText, Severity, Slug } from '../common';
import { ErrorBody } from '../errors';
import { IncidentView } from '../incident';
import { personnel } from '../services/personnel';
import { supplies } from '../services/supplies';
import { PlanDocument, PlanKind } from '../plan';
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

export const PlanSummary = z.object({ id: Slug, version: z.number().int().positive(), title: LocalizedText, kind: PlanKind, hazard: z.string() });
export const PlanList = z.object({ plans: z.array(PlanSummary) });
export const PlanVersionInfo = z.object({ version: z.number().int().positive(), createdBy: z.string(), createdAt: z.iso.datetime() });
export const PlanAnswer = z.object({ plan: PlanDocument, versions: z.array(PlanVersionInfo) });
export const PlanCreated = z.object({ plan: PlanDocument });

/** A posted revision: a plan document whose id (if given) must match the URL; the server assigns the version. */
export const PlanRevision = z.object({
  ...PlanDocument.shape,
  id: Slug.optional().describe('Must equal the plan id in the URL when given.'),
  version: z.number().int().positive().optional().describe('Ignored: the server assigns the next version.'),
});
export const PlanVersionRequest = z.object({ plan: PlanRevision });
/** A new plan: a full plan document; the server stores it as version 1. */
export const PlanCreateRequest = z.object({ plan: PlanRevision.extend({ id: Slug, version: z.literal(1).optional().describe('Ignored: a new plan is version 1.') }) });

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

export const AuditEntry = z.object({ at: z.iso.datetime(), subject: z.string(), role: z.string(), action: z.string(), target: z.string(), detail: z.unknown().optional() });
export const AuditAnswer = z.object({ entries: z.array(AuditEntry) });

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
