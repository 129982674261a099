import type { Express } from 'express';
import { LifelineError } from '@lifeline/contracts';
import { DeliveryParams, DeliveryQuery, JobParams, JobsQuery } from '@lifeline/contracts/http/notification';
import { parseHttp, route, type ServiceContext } from '@lifeline/platform';
import { toBroadcastJob } from './broadcast';
import { residentDeliveries } from './deliveries';
import { jobModel, type JobDoc } from './model/job';
import { jobProgress } from './progress';

/** The admin view of a job: the contract's fields plus page progress (a page is one work item, "batch"). */
const jobView = (job: JobDoc) => ({ ...toBroadcastJob(job), batches: job.pages, batchesDone: job.pagesDone ?? 0, vulnerableBatches: job.vulnerablePages, createdAt: job.createdAt.toISOString(), completedAt: job.completedAt?.toISOString() });

/** Read-only admin routes: an incident's broadcast jobs, one job's progress, and what reached one resident. */
export function registerRoutes(app: Express, ctx: ServiceContext): void {
  const Jobs = jobModel(ctx.db);
  const progress = jobProgress(ctx);
  const deliveries = residentDeliveries(ctx);

  app.get(
    '/v1/jobs',
    route(async (req, res) => {
      const { incidentId } = parseHttp(JobsQuery, req.query, 'jobs query');
      const jobs = await Jobs.find({ incidentId }).sort({ createdAt: 1 }).lean();
      res.json({ incidentId, jobs: (await progress.current(jobs)).map(jobView) });
    }),
  );

  app.get(
    '/v1/jobs/:id',
    route(async (req, res) => {
      const { id } = parseHttp(JobParams, req.params, 'job id');
      const job = await Jobs.findById(id).lean();
      if (!job) throw new LifelineError('not_found', `no broadcast job ${id}`);
      res.json(jobView(await progress.one(job)));
    }),
  );

  app.get(
    '/v1/incidents/:incidentId/residents/:residentId/deliveries',
    route(async (req, res) => {
      const { incidentId, residentId } = parseHttp(DeliveryParams, req.params, 'resident delivery');
      const { stepId } = parseHttp(DeliveryQuery, req.query, 'resident delivery query');
      res.json(await deliveries.lookup({ incidentId, residentId, ...(stepId ? { stepId } : {}) }));
    }),
  );
}
