import type { Express } from 'express';
import { z } from 'zod';
import { IncidentId, LifelineError } from '@lifeline/contracts';
import { parseHttp, route, type ServiceContext } from '@lifeline/platform';
import { toBroadcastJob } from './broadcast';
import { jobModel, type JobDoc } from './model/job';
import { jobProgress } from './progress';

const JobsQuery = z.object({ incidentId: IncidentId });
const JobParams = z.object({ id: z.string().min(1).max(100) });

/** The admin view of a job: the contract's fields plus batch progress. */
const jobView = (job: JobDoc) => ({ ...toBroadcastJob(job), batches: job.batches, batchesDone: job.batchesDone.length, createdAt: job.createdAt.toISOString(), completedAt: job.completedAt?.toISOString() });

/** Read-only admin routes: an incident's broadcast jobs and one job's progress. */
export function registerRoutes(app: Express, ctx: ServiceContext): void {
  const Jobs = jobModel(ctx.db);
  const progress = jobProgress(ctx);

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
}
