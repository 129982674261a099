import type { Express, Request, RequestHandler } from 'express';
import {
  ApprovePlanBody,
  PlanDiffParams,
  PlanIdParams,
  PlanVersionParams,
  PlanVersionQuery,
  PublishPlanBody,
  RetirePlanBody,
} from '@lifeline/contracts/http/command-center';
import { parseHttp, route } from '@lifeline/platform';
import { assertRole, authorise } from './auth';
import type { Plans } from './plans';

/** Writes one audit entry for the caller of `req` (http.ts's writer). */
export type AuditWrite = (req: Request, action: string, target: string, detail?: unknown) => Promise<unknown>;

/**
 * The plan registry's routes. Every role reads plans, versions and diffs; a commander (or admin) publishes, approves
 * and retires, each counted against the caller's changes per minute and audited with who did it. A published version
 * is a draft: a commander other than its author (or an admin) approves it before incidents run it.
 */
export function registerPlanRoutes(app: Express, plans: Plans, mutations: RequestHandler, audit: AuditWrite): void {
  const commander = (action: string): RequestHandler => (req, _res, next) => next(authorise(req, ['commander'], action));

  app.get(
    '/v1/plans',
    route(async (_req, res) => {
      res.json({ plans: await plans.list() });
    }),
  );

  app.post(
    '/v1/plans',
    commander('publish plans'),
    mutations,
    route(async (req, res) => {
      const auth = assertRole(req, ['commander'], 'publish plans');
      const body = parseHttp(PublishPlanBody, req.body, 'plan');
      const plan = await plans.create(body.plan, auth.sub);
      await audit(req, 'plan.create', plan.id, { version: plan.version, status: 'draft' });
      res.status(201).json({ plan });
    }),
  );

  app.get(
    '/v1/plans/:id',
    route(async (req, res) => {
      const { id } = parseHttp(PlanIdParams, req.params, 'plan id');
      const { version } = parseHttp(PlanVersionQuery, req.query, 'query');
      const plan = version ? await plans.version(id, version) : await plans.latest(id);
      res.json({ plan, versions: await plans.versions(id) });
    }),
  );

  app.post(
    '/v1/plans/:id/versions',
    commander('publish plan versions'),
    mutations,
    route(async (req, res) => {
      const { id } = parseHttp(PlanIdParams, req.params, 'plan id');
      const auth = assertRole(req, ['commander'], 'publish plan versions');
      const body = parseHttp(PublishPlanBody, req.body, 'plan version');
      const plan = await plans.addVersion(id, body.plan, auth.sub);
      await audit(req, 'plan.version', id, { version: plan.version, status: 'draft' });
      res.status(201).json({ plan });
    }),
  );

  app.post(
    '/v1/plans/:id/versions/:version/approve',
    commander('approve plan versions'),
    mutations,
    route(async (req, res) => {
      const auth = assertRole(req, ['commander'], 'approve plan versions');
      const { id, version } = parseHttp(PlanVersionParams, req.params, 'plan version');
      const body = parseHttp(ApprovePlanBody, req.body ?? {}, 'approval');
      const info = await plans.approve(id, version, auth).catch(async (err: unknown) => {
        await audit(req, 'plan.approve.refused', id, { version, error: (err as Error).message });
        throw err;
      });
      await audit(req, 'plan.approve', id, { version, author: info.author, ...(body.note ? { note: body.note } : {}) });
      res.json({ planId: id, version: info });
    }),
  );

  app.post(
    '/v1/plans/:id/versions/:version/retire',
    commander('retire plan versions'),
    mutations,
    route(async (req, res) => {
      const auth = assertRole(req, ['commander'], 'retire plan versions');
      const { id, version } = parseHttp(PlanVersionParams, req.params, 'plan version');
      const { reason } = parseHttp(RetirePlanBody, req.body ?? {}, 'retirement');
      const info = await plans.retire(id, version, auth, reason);
      await audit(req, 'plan.retire', id, { version, reason });
      res.json({ planId: id, version: info });
    }),
  );

  app.get(
    '/v1/plans/:id/versions/:a/diff/:b',
    route(async (req, res) => {
      const { id, a, b } = parseHttp(PlanDiffParams, req.params, 'plan versions');
      res.json(await plans.diff(id, a, b));
    }),
  );
}
