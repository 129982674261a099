import type { Express, Request, RequestHandler } from 'express';
import { Client, Connection } from '@temporalio/client';
import { AcceptProposalsRequest, ReportQuery } from '@lifeline/contracts';
import { IncidentIdParams } from '@lifeline/contracts/http/command-center';
import { parseHttp, roleLabel, route } from '@lifeline/platform';
import { codecFromEnv } from '@lifeline/platform/codec';
import { renderReportHtml, type ReportLanguage } from '@lifeline/review';
import { assertRole } from '../auth';
import type { RouteDeps } from '../route-deps';
import { Reviews } from './reviews';
import { acceptanceModel, reportModel } from './store';

/** Open a connection on first use and keep it (the command-center's own clients are wired elsewhere). */
function lazy<T>(open: () => Promise<T>): () => Promise<T> {
  let opened: Promise<T> | undefined;
  return () => {
    opened ??= open().catch((err: unknown) => {
      opened = undefined;
      throw err;
    });
    return opened;
  };
}

/** `?format=html` or a browser's `Accept: text/html` gets the page; anything else JSON. */
const wantsHtml = (req: Request, format: ReportQuery['format']) => format === 'html' || (format === undefined && req.accepts(['application/json', 'text/html']) === 'text/html');
const languageOf = (req: Request, lang: ReportQuery['lang']): ReportLanguage => lang ?? (req.acceptsLanguages('zh-CN', 'zh', 'en') === 'en' ? 'en' : 'zh-CN');

/**
 * The review routes: the after-action report (JSON or HTML, zh-CN or en) and accepting its plan-revision proposals.
 * Every role may read a report; only a commander (or admin) accepts proposals, and every accept is audited and
 * counts against the caller's limit of changes per minute.
 */
export function registerReviewRoutes(app: Express, deps: RouteDeps, mutations: RequestHandler): void {
  const { db } = deps;
  const reviews = new Reviews({
    incidents: deps.incidents,
    plans: deps.plans,
    reports: reportModel(db),
    acceptances: acceptanceModel(db),
    temporal: lazy(async () => new Client({ connection: await Connection.connect({ address: deps.temporalAddress }), namespace: deps.namespace })),
    nats: () => Promise.resolve(deps.nc),
    codec: codecFromEnv(),
  });

  app.get(
    '/v1/incidents/:id/report',
    route(async (req, res) => {
      assertRole(req, ['auditor', 'operator', 'commander'], 'read reports');
      const { id } = parseHttp(IncidentIdParams, req.params, 'incident id');
      const query = parseHttp(ReportQuery, req.query, 'report query');
      const report = await reviews.report(id);
      if (wantsHtml(req, query.format)) {
        res.type('html').send(renderReportHtml(report, languageOf(req, query.lang)));
        return;
      }
      res.json(report);
    }),
  );

  app.post(
    '/v1/incidents/:id/report/proposals/accept',
    mutations,
    route(async (req, res) => {
      const auth = assertRole(req, ['commander'], 'accept plan revisions');
      const { id } = parseHttp(IncidentIdParams, req.params, 'incident id');
      const body = parseHttp(AcceptProposalsRequest, req.body, 'accept request');
      const audit = (action: string, detail: unknown) => deps.audit.create({ at: new Date(), subject: auth.sub, role: roleLabel(auth), action, target: id, detail });
      const result = await reviews.accept(id, body, auth.sub).catch(async (err: unknown) => {
        await audit('plan.revision.accept.refused', { request: body, error: (err as Error).message });
        throw err;
      });
      await audit('plan.revision.accept', result);
      res.status(201).json(result);
    }),
  );
}
