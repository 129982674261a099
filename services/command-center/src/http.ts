import type { Express, Request } from 'express';
import { z } from 'zod';
import { IdempotencyKey, IncidentCommand, LifelineError, Slug, StartIncidentRequest, type Role } from '@lifeline/contracts';
import { buildAsyncApi, buildOpenApi } from '@lifeline/contracts/src/docs';
import { parseHttp, route } from '@lifeline/platform';
import type { Model } from 'mongoose';
import { assertRole, authenticate, authOf } from './auth';
import type { Incidents } from './incidents';
import type { AuditEntry } from './model/audit';
import type { Plans } from './plans';

export interface RouteDeps {
  incidents: Incidents;
  plans: Plans;
  audit: Model<AuditEntry>;
  tokenSecret: string;
  temporalUiUrl: string;
  namespace: string;
  health: () => Promise<Record<string, boolean>>;
}

const IncidentParams = z.object({ id: Slug });
const PlanParams = z.object({ id: Slug });
const VersionQuery = z.object({ version: z.coerce.number().int().positive().optional() });

/** Who may send which command: advance is an operator's call; the rest are a commander's. */
const COMMAND_ROLES: Record<IncidentCommand['type'], Role[]> = {
  advance: ['operator', 'commander'],
  'stand-down': ['commander'],
  escalate: ['commander'],
  deescalate: ['commander'],
};

export function registerRoutes(app: Express, deps: RouteDeps): void {
  const { incidents, plans } = deps;
  const audit = (req: Request, action: string, target: string, detail?: unknown) =>
    deps.audit.create({ at: new Date(), subject: authOf(req)?.sub, role: authOf(req)?.role, action, target, detail });
  const workflowLink = (workflowId: string) => `${deps.temporalUiUrl}/namespaces/${deps.namespace}/workflows/${encodeURIComponent(workflowId)}`;

  app.get(
    '/v1/health',
    route(async (_req, res) => {
      const checks = await deps.health();
      const ok = Object.values(checks).every(Boolean);
      res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', checks });
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

  app.use('/v1', authenticate(deps.tokenSecret));

  app.post(
    '/v1/incidents',
    route(async (req, res) => {
      const auth = assertRole(req, ['operator', 'commander'], 'start incidents');
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
    route(async (_req, res) => {
      const list = await incidents.list();
      res.json({ incidents: list.map(({ incidentId, workflowId, planId, planVersion, severity, title, drill, createdAt }) => ({ incidentId, workflowId, planId, planVersion, severity, title, drill, createdAt })) });
    }),
  );

  app.get(
    '/v1/incidents/:id',
    route(async (req, res) => {
      const { id } = parseHttp(IncidentParams, req.params, 'incident id');
      const view = await incidents.view(id);
      const record = await incidents.record(id);
      res.json({ ...view, workflowId: record.workflowId, links: { temporalUi: workflowLink(record.workflowId) } });
    }),
  );

  app.post(
    '/v1/incidents/:id/commands',
    route(async (req, res) => {
      const { id } = parseHttp(IncidentParams, req.params, 'incident id');
      const command = parseHttp(IncidentCommand, req.body, 'command');
      assertRole(req, COMMAND_ROLES[command.type], command.type);
      await incidents.record(id);
      await audit(req, `incident.command.${command.type}`, id, { reason: command.reason });
      res.json(await incidents.command(id, command));
    }),
  );

  app.get(
    '/v1/incidents/:id/report',
    route(async (req, res) => {
      const { id } = parseHttp(IncidentParams, req.params, 'incident id');
      const view = await incidents.view(id);
      if (!view.review) throw new LifelineError('invalid_state', `incident ${id} has not been reviewed yet (phase ${view.phase})`);
      res.json({ incidentId: id, title: view.title, severity: view.severity, timeline: view.timeline, areas: view.areas, review: view.review });
    }),
  );

  app.get(
    '/v1/plans',
    route(async (_req, res) => {
      res.json({ plans: await plans.list() });
    }),
  );

  app.get(
    '/v1/plans/:id',
    route(async (req, res) => {
      const { id } = parseHttp(PlanParams, req.params, 'plan id');
      const { version } = parseHttp(VersionQuery, req.query, 'query');
      const plan = version ? await plans.version(id, version) : await plans.latest(id);
      res.json({ plan, versions: await plans.versions(id) });
    }),
  );

  app.post(
    '/v1/plans/:id/versions',
    route(async (req, res) => {
      const { id } = parseHttp(PlanParams, req.params, 'plan id');
      const body = parseHttp(z.object({ plan: z.record(z.string(), z.unknown()) }), req.body, 'plan version');
      const auth = assertRole(req, ['commander'], 'publish plan versions');
      const plan = await plans.addVersion(id, body.plan, auth.sub);
      await audit(req, 'plan.version', id, { version: plan.version });
      res.status(201).json({ plan });
    }),
  );
}
