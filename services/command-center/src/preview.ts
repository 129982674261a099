import type { Express } from 'express';
import { notification, personnel, supplies } from '@lifeline/contracts';
import { PlanIdParams } from '@lifeline/contracts/http/command-center';
import { PlanPreviewRequest } from '@lifeline/contracts/http/plan-preview';
import { call, parseHttp, route, type NatsConnection } from '@lifeline/platform';
import { assemblePreview, planDemand } from './domain/preview';
import type { Plans } from './plans';

const ASK = { timeoutMs: 30_000 };

/**
 * `POST /v1/plans/:id/preview`: a dry run. The area is resolved as an incident resolves it (personnel), the plan's
 * steps give the requests (domain/preview.ts), and each service answers from its read-only `preview` endpoint (and
 * personnel's readiness for spans of control). Nothing is written anywhere, not even the audit log or the change
 * counter: every role that reads plans may preview them.
 */
export function registerPreviewRoute(app: Express, plans: Plans, nc: NatsConnection): void {
  app.post(
    '/v1/plans/:id/preview',
    route(async (req, res) => {
      const { id } = parseHttp(PlanIdParams, req.params, 'plan id');
      const body = parseHttp(PlanPreviewRequest, req.body, 'preview');
      // The version an incident would run; a draft may be named, as a drill may run one.
      const plan = await plans.toRun(id, { planVersion: body.version, drill: true });
      const area = await call(nc, personnel.resolveArea, { area: body.area }, ASK);
      const demand = planDemand(plan, body.severity, area);
      const [predictions, stock, people, readiness] = await Promise.all([
        demand.audiences.length > 0 ? call(nc, notification.preview, { audiences: demand.audiences }, ASK).then((p) => p.predictions) : [],
        call(nc, supplies.preview, demand.supplies, ASK),
        demand.personnel ? call(nc, personnel.preview, demand.personnel, ASK) : undefined,
        call(nc, personnel.readiness, { area: body.area }, ASK),
      ]);
      res.json(assemblePreview(plan, body.severity, demand, { predictions, supplies: stock, personnel: people, readiness }));
    }),
  );
}
