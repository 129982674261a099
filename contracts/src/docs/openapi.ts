import { IdempotencyKey } from '../common';
import { ERROR_CODES, ErrorBody, HTTP_STATUS, HttpError, type ErrorCode } from '../errors';
import { AreaProgress, CommandResult, CommunityFigures, IncidentCommand, IncidentView, Review, StartIncidentRequest, StartIncidentResponse, TimelineEntry } from '../incident';
import { PlanDocument, PlanStep } from '../plan';
import { Role } from '../roles';
import { HealthAnswer, IncidentDetail, IncidentList, IncidentReport, IncidentSummary, PlanAnswer, PlanCreated, PlanList, PlanSummary, PlanVersionInfo, PlanVersionRequest } from './http-bodies';
import { mergeComponents, toComponents, type JsonSchema } from './json-schema';

export const OPENAPI_VERSION = '3.1.0';
const SCHEMAS = '#/components/schemas/';
const ref = (name: string) => ({ $ref: `${SCHEMAS}${name}` });

/** Request bodies (converted with io: 'input', so fields with defaults are optional). */
const REQUEST_SCHEMAS = [
  ['StartIncidentRequest', StartIncidentRequest, 'Start an incident from a plan. `area` must name communityIds, districtIds or cityWide: true.'],
  ['IncidentCommand', IncidentCommand, 'An operator command, validated before it reaches the incident workflow (Temporal Update).'],
  ['PlanVersionRequest', PlanVersionRequest, 'A new version of a plan; the server assigns the version number.'],
  ['PlanStepInput', PlanStep, 'A plan step as posted (fields with defaults may be left out).'],
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
  ['IncidentReport', IncidentReport, 'The after-action report of a reviewed incident.'],
  ['PlanStep', PlanStep, 'One step of a plan phase, by kind.'],
  ['PlanDocument', PlanDocument, 'A plan version (step ids are unique across phases).'],
  ['PlanSummary', PlanSummary],
  ['PlanList', PlanList],
  ['PlanVersionInfo', PlanVersionInfo],
  ['PlanAnswer', PlanAnswer],
  ['PlanCreated', PlanCreated],
  ['HealthAnswer', HealthAnswer],
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
}

function operation(r: Route): Record<string, unknown> {
  const authErrors: ErrorCode[] = r.roles === null ? [] : r.roles.length === ALL_ROLES.length ? ['unauthorized'] : ['unauthorized', 'forbidden'];
  const roleText = r.roles === null ? 'No authentication.' : `Roles: ${r.roles.join(', ')}${r.rolesNote ? ` (${r.rolesNote})` : ''}.`;
  return {
    operationId: r.operationId,
    summary: r.summary,
    description: roleText,
    tags: r.tags,
    ...(r.roles === null ? { security: [] } : { 'x-roles': [...r.roles] }),
    ...(r.parameters ? { parameters: r.parameters } : {}),
    ...(r.requestBody ? { requestBody: { required: true, description: r.requestBody.description, content: { 'application/json': { schema: ref(r.requestBody.schema) } } } } : {}),
    responses: { ...r.success, ...errorResponses([...new Set<ErrorCode>([...authErrors, ...r.errors, 'internal'])]) },
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
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'Repeating a request with the same key returns the first incident.', schema: keySchema }],
        requestBody: { schema: 'StartIncidentRequest', description: 'The plan, severity, area and title of the incident.' },
        success: { '202': json(ref('StartIncidentResponse'), 'The incident workflow was started (or had been, for a repeated key).') },
        errors: ['invalid_request', 'not_found', 'conflict', 'unavailable'],
      }),
      get: operation({
        operationId: 'listIncidents',
        summary: 'The 50 most recent incidents',
        tags: ['incidents'],
        roles: reads,
        success: { '200': json(ref('IncidentList'), 'Newest first.') },
        errors: ['unavailable'],
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
    '/v1/incidents/{id}/commands': {
      post: operation({
        operationId: 'commandIncident',
        summary: 'Escalate, de-escalate, advance or stand down an incident',
        tags: ['incidents'],
        roles: starters,
        rolesNote: 'advance: operator or commander; escalate, deescalate and stand-down: commander',
        parameters: [idParam('incident')],
        requestBody: { schema: 'IncidentCommand', description: 'The command and its reason.' },
        success: { '200': json(ref('CommandResult'), 'The workflow accepted the command.') },
        errors: ['invalid_request', 'not_found', 'invalid_state', 'unavailable'],
      }),
    },
    '/v1/incidents/{id}/report': {
      get: operation({
        operationId: 'getIncidentReport',
        summary: 'The after-action report, once the incident was reviewed',
        tags: ['incidents'],
        roles: reads,
        parameters: [idParam('incident')],
        success: { '200': json(ref('IncidentReport'), 'The report.') },
        errors: ['invalid_request', 'not_found', 'invalid_state', 'unavailable'],
      }),
    },
    '/v1/plans': {
      get: operation({
        operationId: 'listPlans',
        summary: 'The latest version of every plan',
        tags: ['plans'],
        roles: reads,
        success: { '200': json(ref('PlanList'), 'One entry per plan.') },
        errors: ['unavailable'],
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
        summary: 'Publish a new immutable version of a plan',
        tags: ['plans'],
        roles: ['commander', 'admin'],
        parameters: [idParam('plan')],
        requestBody: { schema: 'PlanVersionRequest', description: 'The revised plan; running incidents keep the version they started with.' },
        success: { '201': json(ref('PlanCreated'), 'The new version.') },
        errors: ['invalid_request', 'not_found', 'conflict', 'unavailable'],
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
            'HS256 JWT, issuer `lifeline`, claims `sub` and `role` (`lifeline token --role <role>` mints one). Roles: `auditor` reads; `operator` reads, starts incidents and advances phases; ' +
            '`commander` also escalates, de-escalates, stands down and publishes plan versions; `admin` may do everything.',
        },
      },
      schemas,
    },
  };
}
