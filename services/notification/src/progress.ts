import type { ServiceContext } from '@lifeline/platform';
import { progressOf } from './domain/delivery';
import type { JobDoc } from './model/job';
import { resultModel } from './model/result';

/** Jobs as they stand: a completed job carries its final figures; an open one is summed from its batch results. */
export function jobProgress(ctx: ServiceContext) {
  const Results = resultModel(ctx.db);

  async function current(jobs: JobDoc[]): Promise<JobDoc[]> {
    const open = jobs.filter((j) => j.status !== 'completed');
    if (open.length === 0) return jobs;
    const results = await Results.find(open.length === 1 ? { jobId: open[0]!._id } : { jobId: { $in: open.map((j) => j._id) } }).lean();
    return jobs.map((job) => (job.status === 'completed' ? job : { ...job, ...progressOf(job, results.filter((r) => r.jobId === job._id)) }));
  }

  return {
    current,
    one: async (job: JobDoc): Promise<JobDoc> => (await current([job]))[0]!,
  };
}
