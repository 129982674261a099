import path from 'node:path';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { IdempotencyKey, IncidentCommandRequest, type IncidentCommand, LifelineError, StartIncidentRequest, type Role } from '@lifeline/contracts';
import { buildAsyncApi, buildOpenApi } from '@lifeline/contracts/docs';
import { AuditQuery, AuditVerifyQuery, IncidentIdParams, IncidentListQuery, ReadinessQuery } from '@lifeline/contracts/http/command-center';
import { parseHttp, roleLabel, route } from '@lifeline/platform';
import { assertRole, authenticate, authOf, authorise } from './auth';
import { streamIncident } from './live';
import { registerPlanRoutes } from './plan-routes';
import { registerPreviewRoute } from './preview';
import { changeLimiter } from './rate-limit';
import { areaReadiness } from './readiness';
import { registerReviewRoutes } from './review/routes';
import type { RouteDeps } from './route-deps';

/** The console: plain HTML/CSS/JS served from here, nothing from a CDN. */
export const CONSOLE_DIR = path.resolve(__dirname, '..', 'console');

/** Who may send which command: advance is an operator's call; the rest (and any command added later) a commander's. */
const COMMAND_ROLES: Record<string, Role[]> = {
  advance: ['operator', 'commander'],
  'stand-down': ['commander'],
  escalate: ['commander'],
  deescalate: ['commander'],
  decide: ['commander'],
};
const commandRoles = (type: IncidentCommand['type']): Role[] => COMMAND_ROLES[type] ?? ['commander'];
const STARTERS: Role[] = ['operator', 'commander'];

/** Body-parser and URL-decoding failures are the client's mistake: a structured 4xx, never a 500. */
export const clientMistakes: ErrorRequestHandler = (err, _req, res, next) => {
  const e = err as { type?: string; status?: number; expose?: boolean; message?: string; limit?: number };
  if (err instanceof LifelineError || typeof e.status !== 'number' || e.status < 400 || e.status >= 500) return next(err);
  const message = e.type === 'entity.too.large' ? `body larger than the ${e.limit ?? ''} byte limit` : e.type === 'entity.parse.failed' ? 'body is not valid JSON' : e.expose ? (e.message ?? 'bad request') : 'bad request';
  res.status(e.status).json({ error: { code: 'invalid_request', message, ...(e.type ? { details: { type: e.type } } : {}) } });
};

export function registerRoutes(app: Express, deps: RouteDeps): void {
  const { incidents, plans } = deps;
  // The actor is the caller's `sub`: an OIDC caller's names its issuer too (`<issuer>#<sub>`, Caller in contracts).
  const audit = (req: Request, action: string, target: string, detail?: unknown) => {
    const caller = authOf(req);
    return deps.audit.create({ at: new Date(), subject: caller?.sub, role: caller && roleLabel(caller), action, target, detail });
  };
  const workflowLink = (workflowId: string) => `${deps.temporalUiUrl}/namespaces/${deps.namespace}/workflows/${encodeURIComponent(workflowId)}`;
  // An incident started before tracing was on (or without a sampled span) has no trace id, so no trace link.
  const traceLinks = (traceId: string | undefined) => (deps.tracesUrl && traceId ? { trace: `${deps.tracesUrl}/trace/${traceId}`, traceApi: `${deps.tracesUrl}/api/traces/${traceId}` } : {});
  const detail = async (id: string) => {
    const view = await incidents.view(id);
    const record = await incidents.record(id);
    return { ...view, workflowId: record.workflowId, links: { temporalUi: workflowLink(record.workflowId), ...traceLinks(record.traceId) } };
  };

  // Counted in the store, so the limit holds across replicas (src/rate-limit.ts).
  const mutations = changeLimiter(deps.mutationsPerMinute, deps.rateStore);

  app.get('/', (_req, res) => res.redirect(302, '/console/'));
  app.use(
    '/console',
    (_req, res, next) => {
      res.set('content-security-policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
      next();
    },
    express.static(CONSOLE_DIR, { index: 'index.html', fallthrough: true }),
  );

  app.get(
    '/v1/health',
    route(async (_req, res) => {
      const checks = await deps.health();
      const ok = Object.values(checks).every(Boolean);
      res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', checks });
    }),
  );

  app.get(
    '/v1/status',
    route(async (_req, res) => {
      const answer = await deps.status();
      res.status(answer.status === 'ok' ? 200 : 503).json(answer);
    }),
  );

  // API documents, generated from the contracts once at start-up and served without authentication.
  const openApi = buildOpenApi();
  const asyncApi = buildAsyncApi();
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.get('/v1/asyncapi.json', (_req, res) => {
    res.json(asyncApi);
  });

  app.use('/v1', authenticate(deps.verifier));

  app.post(
    '/v1/incidents',
    (req, _res, next) => next(authorise(req, STARTERS, 'start incidents')),
    mutations,
    route(async (req, res) => {
      const auth = assertRole(req, STARTERS, 'start incidents');
      const body = parseHttp(StartIncidentRequest, req.body, 'incident');
      const key = req.header('idempotency-key');
      const idempotencyKey = key === undefined ? undefined : parseHttp(IdempotencyKey, key, 'Idempotency-Key header');
      const record = await incidents.start(body, auth.sub, idempotencyKey);
      await audit(req, 'incident.start', record.incidentId, { planId: record.planId, planVersion: record.planVersion, severity: record.severity, drill: record.drill });
      res.status(202).json({ incidentId: record.incidentId, workflowId: record.workflowId });
    }),
  );

  app.get(
    '/v1/incidents',
    route(async (req, res) => {
      const filter = parseHttp(IncidentListQuery, req.query, 'incident filter');
      res.json({ incidents: await incidents.search(filter) });
    }),
  );

  app.get(
    '/v1/incidents/:id',
    route(async (req, res) => {
      const { id } = parseHttp(IncidentIdParams, req.params, 'incident id');
      res.json(await detail(id));
    }),
  );

  app.get(
    '/v1/incidents/:id/events',
    route(async (req, res) => {
      const { id } = parseHttp(IncidentIdParams, req.params, 'incident id');
      const record = await incidents.record(id);
      await audit(req, 'incident.watch', id);
      await streamIncident(req, res, id, record.createdAt, { nc: deps.nc, detail, pollMs: deps.livePollMs, heartbeatMs: 15_000 });
    }),
  );

  app.post(
    '/v1/incidents/:id/commands',
    (req, _res, next) => next(authorise(req, STARTERS, 'command incidents')),
    mutations,
    route(async (req, res) => {
      const { id } = parseHttp(IncidentIdParams, req.params, 'incident id');
      const command = parseHttp(IncidentCommandRequest, req.body, 'command');
      assertRole(req, commandRoles(command.type), command.type);
      await incidents.record(id);
      await audit(req, `incident.command.${command.type}`, id, { reason: command.reason });
      res.json(await incidents.command(id, command));
    }),
  );

  // The after-action report and plan-revision proposals (services/command-center/src/review).
  registerReviewRoutes(app, deps, mutations);

  // The plan registry: versions, their approval and retirement, diffs (plan-routes.ts).
  registerPlanRoutes(app, plans, mutations, audit);
  // A plan's dry run: what it would do for an area at a severity, without side effects (preview.ts).
  registerPreviewRoute(app, plans, deps.nc);

  app.get(
    '/v1/readiness',
    route(async (req, res) => {
      const query = parseHttp(ReadinessQuery, req.query, 'readiness query');
      res.json(await areaReadiness(deps.nc, query));
    }),
  );

  app.get(
    '/v1/audit',
    route(async (req, res) => {
      const auth = assertRole(req, ['auditor'], 'read the audit log');
      const query = parseHttp(AuditQuery, req.query, 'audit query');
      const entries = await deps.audit.read(query);
      await audit(req, 'audit.read', query.target ?? '*', { by: auth.sub, entries: entries.length });
      res.json({ entries });
    }),
  );

  app.get(
    '/v1/audit/verify',
    route(async (req, res) => {
      assertRole(req, ['admin'], 'verify the audit log');
      const { head } = parseHttp(AuditVerifyQuery, req.query, 'audit verify query');
      const answer = await deps.audit.verify(head);
      await audit(req, 'audit.verify', '*', { ok: answer.ok, entries: answer.entries, broken: answer.broken });
      res.json(answer);
    }),
  );

  app.use(clientMistakes);
}
