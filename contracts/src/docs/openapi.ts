import { IdempotencyKey } from '../common';
import { ERROR_CODES, ErrorBody, HTTP_STATUS, HttpError, type ErrorCode } from '../errors';
import { AreaProgress, CommandResult, CommunityFigures, IncidentCommandRequest, IncidentView, Review, StartIncidentRequest, StartIncidentResponse, TimelineEntry } from '../incident';
import { PlanDocument, PlanStep, PostedPlanStep } from '../plan';
import { Role } from '../roles';
import { AcceptProposalsRequest, AcceptProposalsResult, AfterActionReport } from '../review';
import {
  AreaReadiness,
  AuditAnswer,
  AuditVerifyAnswer,
  HealthAnswer,
  IncidentDetail,
  IncidentList,
  IncidentListQuery,
  ReadinessQuery,
  IncidentSummary,
  LiveEventData,
  ApprovePlanBody,
  PlanAnswer,
  PlanCreated,
  PlanCreateRequest,
  PlanDiff,
  PlanList,
  PlanSummary,
  PlanVersionAnswer,
  PlanVersionInfo,
  PlanVersionRequest,
  RetirePlanBody,
  StatusAnswer,
} from '../http/command-center';
import { PlanPreview, PlanPreviewRequest } from '../http/plan-preview';
import { mergeComponents, toComponents, type JsonSchema } from './json-schema';

export const OPENAPI_VERSION = '3.1.0';
const SCHEMAS = '#/components/schemas/';
const ref = (name: string) => ({ $ref: `${SCHEMAS}${name}` });

/** Request bodies (converted with io: 'input', so fields with defaults are optional). */
const REQUEST_SCHEMAS = [
  ['StartIncidentRequest', StartIncidentRequest, 'Start an incident from a plan: its latest approved version, or `planVersion` (a draft only when `drill` is true). `area` must name communityIds, districtIds or cityWide: true.'],
  ['IncidentCommand', IncidentCommandRequest, 'An operator command, validated before it reaches the incident workflow (Temporal Update).'],
  ['PlanVersionRequest', PlanVersionRequest, 'A new version of a plan; the server assigns the version number.'],
  ['PlanCreateRequest', PlanCreateRequest, 'A new plan, stored as version 1.'],
  ['ApprovePlanBody', ApprovePlanBody, 'Approve a draft version (the body may be empty); the note is kept in the audit log.'],
  ['RetirePlanBody', RetirePlanBody, 'Retire a version: why it must not start again.'],
  ['AcceptProposalsRequest', AcceptProposalsRequest, 'Accept some (`proposalIds`) or all (`all: true`) of a report\'s plan-revision proposals.'],
  ['PlanPreviewRequest', PlanPreviewRequest, 'A dry run of a plan: the severity, the area as an incident start takes it (`communityIds`, `districtIds` or `cityWide: true`) and optionally the version (default: the latest approved; a draft may be named).'],
  ['PlanStepInput', PostedPlanStep, 'A plan step as posted (fields with defaults may be left out; unknown fields refused).'],
] as const;

/** Answers (converted with io: 'output'). */
const RESPONSE_SCHEMAS = [
  ['ErrorBody', ErrorBody],
  ['HttpError', HttpError, 'Every error answer: `{ error: { code, message, details? } }`.'],
  ['StartIncidentResponse', StartIncidentResponse],
  ['IncidentSummary', IncidentSummary],
  ['IncidentList', IncidentList],
  ['CommunityFigures', CommunityFigures],
  ['AreaProgress', AreaProgress],
  ['TimelineEntry', TimelineEntry],
  ['Review', Review],
  ['IncidentView', IncidentView, 'The incident as its workflow knows it.'],
  ['IncidentDetail', IncidentDetail, 'The incident view plus its workflow id and a link to the Temporal UI.'],
  ['CommandResult', CommandResult],
  ['AfterActionReport', AfterActionReport, 'The after-action report of a reviewed incident.'],
  ['AcceptProposalsResult', AcceptProposalsResult],
  ['LiveEventData', LiveEventData],
  ['AuditAnswer', AuditAnswer],
  ['AuditVerifyAnswer', AuditVerifyAnswer, 'The audit hash chain walked from its first entry: the first entry edited, deleted or inserted, if any.'],
  ['AreaReadiness', AreaReadiness, 'Readiness of one area from supplies and personnel.'],
  ['PlanStep', PlanStep, 'One step of a plan phase, by kind.'],
  ['PlanDocument', PlanDocument, 'A plan version (step ids are unique across phases).'],
  ['PlanSummary', PlanSummary],
  ['PlanList', PlanList],
  ['PlanVersionInfo', PlanVersionInfo],
  ['PlanAnswer', PlanAnswer],
  ['PlanCreated', PlanCreated],
  ['PlanVersionAnswer', PlanVersionAnswer, 'A version after an approve or a retire.'],
  ['PlanDiff', PlanDiff, 'What changed between two versions: paths (steps matched by id) and a text rendering.'],
  ['PlanPreview', PlanPreview, 'What a plan would do for an area at a severity: communities and residents in scope, messages per channel and predicted time to reach, supplies needed vs available per depot with shortfalls and proposed cover, people needed vs available by role and skill with spans of control, sites and capacity.'],
  ['HealthAnswer', HealthAnswer],
  ['StatusAnswer', StatusAnswer],
] as const;

const ALL_ROLES = Role.options;

/** Error codes a route may answer with, beyond the ones every authenticated route shares. */
function errorResponses(codes: ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ERROR_CODES) {
    if (!codes.includes(code)) continue;
    const status = HTTP_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) => [String(status), { description: `Error: ${list.map((c) => `\`${c}\``).join(', ')}.`, content: { 'application/json': { schema: ref('HttpError') } } }]),
  );
}

const json = (schema: JsonSchema, description: string) => ({ description, content: { 'application/json': { schema } } });
const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, description: `The ${what} id (a lowercase slug).`, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } });

const versionParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } });

/**
 * A query whose fields have a rule between them (one of, at least one of) as one form-exploded object parameter
 * (`?community=c-1&severity=II`): OpenAPI states no rule across separate parameters, an object schema carries its
 * `oneOf`/`anyOf` and `additionalProperties: false`.
 */
function ruledQuery(schema: JsonSchema, description: string): unknown {
  return { name: 'query', in: 'query', required: true, style: 'form', explode: true, description, schema };
}

/** Query parameters from an object schema's properties, each with its description. */
function queryParameters(schema: JsonSchema, descriptions: Record<string, string>): unknown[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: false, description: descriptions[name] ?? '', schema: property }));
}

interface Route {
  operationId: string;
  summary: string;
  tags: string[];
  /** Roles allowed (admin may always); null = no authentication. */
  roles: readonly string[] | null;
  rolesNote?: string;
  parameters?: unknown[];
  requestBody?: { schema: string; description: string };
  success: Record<string, unknown>;
  errors: ErrorCode[];
  /** Counted against the caller's per-minute budget of changes (429 `rate_limited` beyond it). */
  rateLimited?: boolean;
}

function operation(r: Route): Record<string, unknown> {
  const authErrors: ErrorCode[] = r.roles === null ? [] : r.roles.length === ALL_ROLES.length ? ['unauthorized'] : ['unauthorized', 'forbidden'];
  const limited: ErrorCode[] = r.rateLimited ? ['rate_limited'] : [];
  const roleText = r.roles === null ? 'No authentication.' : `Roles: ${r.roles.join(', ')}${r.rolesNote ? ` (${r.rolesNote})` : ''}.`;
  return {
    operationId: r.operationId,
    summary: r.summary,
    description: roleText,
    tags: r.tags,
    ...(r.roles === null ? { security: [] } : { 'x-roles': [...r.roles] }),
    ...(r.rateLimited ? { 'x-rate-limited': true } : {}),
    ...(r.parameters ? { parameters: r.parameters } : {}),
    ...(r.requestBody ? { requestBody: { required: true, description: r.requestBody.description, content: { 'application/json': { schema: ref(r.requestBody.schema) } } } } : {}),
    responses: { ...r.success, ...errorResponses([...new Set<ErrorCode>([...authErrors, ...limited, ...r.errors, 'internal'])]) },
  };
}

/** The OpenAPI 3.1 document of the command-center HTTP API, generated from the zod contracts (deterministic). */
export function buildOpenApi(): Record<string, unknown> {
  const schemas = mergeComponents(
    toComponents(REQUEST_SCHEMAS, { io: 'input', target: 'draft-2020-12', refPrefix: SCHEMAS }),
    toComponents(RESPONSE_SCHEMAS, { io: 'output', target: 'draft-2020-12', refPrefix: SCHEMAS }),
  );
  const [keySchema] = Object.values(toComponents([['IdempotencyKey', IdempotencyKey]], { io: 'input', target: 'draft-2020-12', refPrefix: SCHEMAS }));
  const reads = ALL_ROLES;
  const starters = ['operator', 'commander', 'admin'];
  const listQuery = toComponents([['IncidentListQuery', IncidentListQuery]], { io: 'input', target: 'draft-2020-12', refPrefix: SCHEMAS }).IncidentListQuery!;
  const readinessQuery = toComponents([['ReadinessQuery', ReadinessQuery]], { io: 'input', target: 'draft-2020-12', refPrefix: SCHEMAS }).ReadinessQuery!;

  const paths: Record<string, Record<string, unknown>> = {
    '/v1/health': {
      get: operation({
        operationId: 'getHealth',
        summary: 'Health of the command-center and its dependencies',
        tags: ['meta'],
        roles: null,
        success: { '200': json(ref('HealthAnswer'), 'Every dependency answers.'), '503': json(ref('HealthAnswer'), 'Some dependency does not answer.') },
        errors: [],
      }),
    },
    '/v1/status': {
      get: operation({
        operationId: 'getStatus',
        summary: 'Every part of the running system (store, NATS, Temporal, the four services, the worker); 503 names what is down',
        tags: ['meta'],
        roles: null,
        success: { '200': json(ref('StatusAnswer'), 'Every part answers.'), '503': json(ref('StatusAnswer'), 'Some part does not answer; it is named with `up: false`.') },
        errors: [],
      }),
    },
    '/v1/openapi.json': {
      get: operation({ operationId: 'getOpenApi', summary: 'This document', tags: ['meta'], roles: null, success: { '200': json({ type: 'object' }, 'The OpenAPI 3.1 document.') }, errors: [] }),
    },
    '/v1/asyncapi.json': {
      get: operation({ operationId: 'getAsyncApi', summary: 'The AsyncAPI 3.0 document of the NATS subjects', tags: ['meta'], roles: null, success: { '200': json({ type: 'object' }, 'The AsyncAPI 3.0 document.') }, errors: [] }),
    },
    '/v1/incidents': {
      post: operation({
        operationId: 'startIncident',
        summary: 'Start an incident (idempotent with an Idempotency-Key)',
        tags: ['incidents'],
        roles: starters,
        rateLimited: true,
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'Repeating a request with the same key returns the first incident.', schema: keySchema }],
        requestBody: { schema: 'StartIncidentRequest', description: 'The plan, severity, area and title of the incident.' },
        success: { '202': json(ref('StartIncidentResponse'), 'The incident workflow was started (or had been, for a repeated key).') },
        errors: ['invalid_request', 'not_found', 'conflict', 'unavailable'],
      }),
      get: operation({
        operationId: 'listIncidents',
        summary: 'Incidents, newest first, filtered by phase, severity, district, drill, status or plan',
        tags: ['incidents'],
        roles: reads,
        parameters: queryParameters(listQuery, {
          phase: 'Current phase (search attribute LifelinePhase).',
          severity: 'Current severity (LifelineSeverity).',
          district: 'A district the incident covers (LifelineDistrict).',
          drill: '`true` for drills only, `false` for real incidents only.',
          status: 'Workflow status.',
          plan: 'Plan id (LifelinePlanId).',
          limit: 'At most this many (default 50).',
        }),
        success: { '200': json(ref('IncidentList'), 'Newest first.') },
        errors: ['invalid_request', 'unavailable'],
      }),
    },
    '/v1/incidents/{id}': {
      get: operation({
        operationId: 'getIncident',
        summary: 'Phase, status, severity, plan version and per-area progress of an incident',
        tags: ['incidents'],
        roles: reads,
        parameters: [idParam('incident')],
        success: { '200': json(ref('IncidentDetail'), 'The incident.') },
        errors: ['invalid_request', 'not_found', 'unavailable'],
      }),
    },
    '/v1/incidents/{id}/events': {
      get: operation({
        operationId: 'streamIncident',
        summary: 'Live updates of an incident as server-sent events',
        tags: ['incidents'],
        roles: reads,
        parameters: [
          idParam('incident'),
          { name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after this event (a JetStream sequence); without it the stream replays the incident\'s events from its start.', schema: { type: 'string', pattern: '^[0-9]+$' } },
        ],
        success: {
          '200': {
            description:
              'A `text/event-stream`. `event: status` carries an IncidentDetail whenever it changes (first on connect); `event: event` carries a LiveEventData with `id:` its stream sequence; ' +
              '`event: end` says the incident closed; `event: problem` carries an ErrorBody when the workflow or the event stream does not answer (the stream stays open). Comments keep idle connections alive.',
            content: { 'text/event-stream': { schema: { type: 'string' }, 'x-event-schemas': { status: ref('IncidentDetail'), event: ref('LiveEventData'), problem: ref('ErrorBody') } } },
          },
        },
        errors: ['invalid_request', 'not_found', 'unavailable'],
      }),
    },
    '/v1/incidents/{id}/commands': {
      post: operation({
        operationId: 'commandIncident',
        summary: 'Escalate, de-escalate, advance or stand down an incident',
        tags: ['incidents'],
        roles: starters,
        rolesNote: 'advance: operator or commander; escalate, deescalate and stand-down: commander',
        rateLimited: true,
        parameters: [idParam('incident')],
        requestBody: { schema: 'IncidentCommand', description: 'The command and its reason.' },
        success: { '200': json(ref('CommandResult'), 'The workflow accepted the command.') },
        errors: ['invalid_request', 'not_found', 'invalid_state', 'unavailable'],
      }),
    },
    '/v1/incidents/{id}/report': {
      get: operation({
        operationId: 'getIncidentReport',
        summary: 'The after-action report, once the incident was reviewed (JSON, or HTML with ?format=html)',
        tags: ['incidents'],
        roles: reads,
        parameters: [
          idParam('incident'),
          { name: 'format', in: 'query', required: false, description: '`json` (default) or `html`; a browser asking for text/html gets the page.', schema: { type: 'string', enum: ['json', 'html'] } },
          { name: 'lang', in: 'query', required: false, description: 'Language of the HTML page (default from Accept-Language).', schema: { type: 'string', enum: ['zh-CN', 'en'] } },
        ],
        success: { '200': { description: 'The report.', content: { 'application/json': { schema: ref('AfterActionReport') }, 'text/html': { schema: { type: 'string' } } } } },
        errors: ['invalid_request', 'not_found', 'invalid_state', 'unavailable'],
      }),
    },
    '/v1/incidents/{id}/report/proposals/accept': {
      post: operation({
        operationId: 'acceptPlanProposals',
        summary: "Accept the report's plan-revision proposals as a new plan version",
        tags: ['incidents', 'plans'],
        roles: ['commander', 'admin'],
        rateLimited: true,
        parameters: [idParam('incident')],
        requestBody: { schema: 'AcceptProposalsRequest', description: 'Which proposals to accept.' },
        success: { '201': json(ref('AcceptProposalsResult'), 'The new plan version.') },
        errors: ['invalid_request', 'not_found', 'conflict', 'invalid_state', 'unavailable'],
      }),
    },
    '/v1/plans': {
      get: operation({
        operationId: 'listPlans',
        summary: 'Every plan: its latest version and the approved version new incidents run',
        tags: ['plans'],
        roles: reads,
        success: { '200': json(ref('PlanList'), 'One entry per plan.') },
        errors: ['unavailable'],
      }),
      post: operation({
        operationId: 'createPlan',
        summary: 'Publish a new plan (version 1, a draft until approved)',
        tags: ['plans'],
        roles: ['commander', 'admin'],
        rateLimited: true,
        requestBody: { schema: 'PlanCreateRequest', description: 'The plan; its id must not exist yet.' },
        success: { '201': json(ref('PlanCreated'), 'The new plan.') },
        errors: ['invalid_request', 'conflict', 'unavailable'],
      }),
    },
    '/v1/plans/{id}': {
      get: operation({
        operationId: 'getPlan',
        summary: 'A plan (latest version, or ?version=N) and the list of its versions',
        tags: ['plans'],
        roles: reads,
        parameters: [idParam('plan'), { name: 'version', in: 'query', required: false, description: 'A specific version (default: the latest).', schema: { type: 'integer', minimum: 1 } }],
        success: { '200': json(ref('PlanAnswer'), 'The plan and its versions.') },
        errors: ['invalid_request', 'not_found', 'unavailable'],
      }),
    },
    '/v1/plans/{id}/versions': {
      post: operation({
        operationId: 'addPlanVersion',
        summary: 'Publish a new immutable version of a plan (a draft until approved)',
        tags: ['plans'],
        roles: ['commander', 'admin'],
        rateLimited: true,
        parameters: [idParam('plan')],
        requestBody: { schema: 'PlanVersionRequest', description: 'The revised plan; running incidents keep the version they started with.' },
        success: { '201': json(ref('PlanCreated'), 'The new version.') },
        errors: ['invalid_request', 'not_found', 'conflict', 'unavailable'],
      }),
    },
    '/v1/plans/{id}/versions/{version}/approve': {
      post: operation({
        operationId: 'approvePlanVersion',
        summary: 'Approve a draft version: new incidents then run it (the latest approved version)',
        tags: ['plans'],
        roles: ['commander', 'admin'],
        rolesNote: 'a commander other than the author; an admin may approve any draft',
        rateLimited: true,
        parameters: [idParam('plan'), versionParam('version', 'The draft version.')],
        requestBody: { schema: 'ApprovePlanBody', description: 'An optional note (`{}` or no body at all).' },
        success: { '200': json(ref('PlanVersionAnswer'), 'The version, approved.') },
        errors: ['invalid_request', 'not_found', 'conflict', 'invalid_state', 'unavailable'],
      }),
    },
    '/v1/plans/{id}/versions/{version}/retire': {
      post: operation({
        operationId: 'retirePlanVersion',
        summary: 'Retire a version (draft or approved): no incident starts on it again; running incidents keep it',
        tags: ['plans'],
        roles: ['commander', 'admin'],
        rateLimited: true,
        parameters: [idParam('plan'), versionParam('version', 'The version to retire.')],
        requestBody: { schema: 'RetirePlanBody', description: 'Why.' },
        success: { '200': json(ref('PlanVersionAnswer'), 'The version, retired.') },
        errors: ['invalid_request', 'not_found', 'conflict', 'invalid_state', 'unavailable'],
      }),
    },
    '/v1/plans/{id}/preview': {
      post: operation({
        operationId: 'previewPlan',
        summary: 'Dry run: what the plan would do for an area at a severity, answered without writing anything anywhere',
        tags: ['plans'],
        roles: reads,
        parameters: [idParam('plan')],
        requestBody: { schema: 'PlanPreviewRequest', description: 'Severity, area and optionally the version.' },
        success: { '200': json(ref('PlanPreview'), 'The figures, from the plan steps and the services\' read-only preview endpoints.') },
        errors: ['invalid_request', 'not_found', 'invalid_state', 'unavailable'],
      }),
    },
    '/v1/plans/{id}/versions/{a}/diff/{b}': {
      get: operation({
        operationId: 'diffPlanVersions',
        summary: 'What changed from version a to version b',
        tags: ['plans'],
        roles: reads,
        parameters: [idParam('plan'), versionParam('a', 'The older version.'), versionParam('b', 'The newer version.')],
        success: { '200': json(ref('PlanDiff'), 'The changed paths and their text rendering.') },
        errors: ['invalid_request', 'not_found', 'unavailable'],
      }),
    },
    '/v1/readiness': {
      get: operation({
        operationId: 'getAreaReadiness',
        summary: 'Readiness of a community or district: stock (supplies) and spans of control (personnel)',
        tags: ['readiness'],
        roles: reads,
        parameters: [ruledQuery(readinessQuery, '`community` or `district` (exactly one of them), and optionally `severity`: judge stock against targets scaled for it (default IV).')],
        success: { '200': json(ref('AreaReadiness'), 'Both reports; a service that did not answer is null and listed in problems.') },
        errors: ['invalid_request'],
      }),
    },
    '/v1/audit': {
      get: operation({
        operationId: 'readAuditLog',
        summary: 'The audit log: who did what, when (reading it is audited too)',
        tags: ['audit'],
        roles: ['auditor', 'admin'],
        parameters: [
          { name: 'target', in: 'query', required: false, description: 'Only entries about this incident or plan id.', schema: { type: 'string', minLength: 1, maxLength: 200 } },
          { name: 'limit', in: 'query', required: false, description: 'At most this many, newest first (default 100).', schema: { type: 'integer', minimum: 1, maximum: 500 } },
        ],
        success: { '200': json(ref('AuditAnswer'), 'Newest first.') },
        errors: ['invalid_request', 'unavailable'],
      }),
    },
    '/v1/audit/verify': {
      get: operation({
        operationId: 'verifyAuditLog',
        summary: 'Walk the audit hash chain and name the first entry edited, deleted or inserted (verifying is audited too)',
        tags: ['audit'],
        roles: ['admin'],
        parameters: [
          {
            name: 'head',
            in: 'query',
            required: false,
            description: '`<seq>:<hash>` of a head recorded earlier: the chain must still hold that entry with that hash.',
            schema: { type: 'string', pattern: '^[1-9][0-9]*:[0-9a-f]{64}$' },
          },
        ],
        success: { '200': json(ref('AuditVerifyAnswer'), 'ok false names the first broken entry.') },
        errors: ['invalid_request', 'unavailable'],
      }),
    },
  };

  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Lifeline command-center API',
      version: '1.0.0',
      description:
        'Operator HTTP API of the Lifeline command-center. Generated from the zod contracts in contracts/src by `npm run api-docs`; do not edit by hand.\n\n' +
        'Errors are `{ error: { code, message, details? } }` with the status that fits the code. Invariants that JSON Schema cannot express (for example, an area must name communityIds, districtIds or cityWide: true, and plan step ids are unique) are checked by the service.',
    },
    servers: [{ url: 'http://127.0.0.1:8080', description: 'The local stack' }],
    tags: [
      { name: 'incidents', description: 'Incidents: durable workflows started from a plan.' },
      { name: 'plans', description: 'The plan registry: immutable, versioned plans.' },
      { name: 'readiness', description: 'Readiness of an area before an incident.' },
      { name: 'audit', description: 'The audit log (auditor, admin).' },
      { name: 'meta', description: 'Health and API documents (unauthenticated).' },
    ],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An OIDC access token of the configured issuer (its roles claim mapped to Lifeline roles; docs/DEPLOY.md, "Identity") or a development token: HS256 JWT, issuer `lifeline`, claims `sub` and `role` (`lifeline token --role <role>` mints one), refused where OIDC is configured on a stack that is no sandbox. ' +
            'A refused token is 401 `unauthorized` with `details.reason`; a valid token that maps to no role 403 `forbidden`. Roles: `auditor` reads; `operator` reads, starts incidents and advances phases; ' +
            '`commander` also escalates, de-escalates, stands down, publishes plans and accepts plan revisions; `auditor` also reads the audit log; `admin` may do everything. ' +
            'Changes (starts, commands, plans) are limited per token subject and minute (429 `rate_limited` with Retry-After).',
        },
      },
      schemas,
    },
  };
}
