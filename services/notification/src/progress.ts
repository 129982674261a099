import { notificationEvents } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import { progressOf, timeToReach } from './domain/delivery';
import { jobModel, type JobDoc } from './model/job';
import { resultModel } from './model/result';
import { toBroadcastJob } from './view';

/**
 * Jobs as they stand: a completed job carries its final figures; an open one is summed from its batch results.
 * A job whose audience is still being cut (not yet published) cannot be complete, whatever its batches so far.
 */
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

/**
 * When every batch of a published job is counted: write the final figures on the job once, and announce it
 * (deduplicated by `${jobId}:completed`). Called by the sender after each batch and by the cut once it has queued
 * the last batch (the batches may all have been sent before the job knew how many there are).
 */
export function jobCompletion(ctx: ServiceContext) {
  const Jobs = jobModel(ctx.db);
  const Results = resultModel(ctx.db);
  const progress = jobProgress(ctx);

  return async function completeIfDone(jobId: string): Promise<JobDoc | undefined> {
    const stored = await Jobs.findById(jobId).lean();
    if (!stored) return undefined;
    const job = await progress.one(stored);
    if (job.status !== 'completed') return job;
    if (stored.status !== 'completed') {
      const { status, sent, failed, duplicatesSkipped, batchesDone, frequencyCapped, fallbacks, byChannel } = job;
      const results = await Results.find({ jobId }, { createdAt: 1, sent: 1, failed: 1, duplicatesSkipped: 1, frequencyCapped: 1 }).lean();
      const reach = timeToReach(stored.createdAt, stored.total, results.map((r) => ({ createdAt: r.createdAt, settled: r.sent + r.failed + r.duplicatesSkipped + (r.frequencyCapped ?? 0) })));
      const completedAt = new Date();
      await Jobs.updateOne(
        { _id: jobId },
        { $set: { status, sent, failed, duplicatesSkipped, batchesDone, frequencyCapped, fallbacks, byChannel, ...(reach ? { timeToReach: reach } : {}), published: true, completedAt } },
      );
      job.completedAt = completedAt;
      if (reach) job.timeToReach = reach;
    }
    const done = toBroadcastJob(job);
    await ctx.events.publish(notificationEvents.broadcastCompleted, `${jobId}:completed`, done, job.incidentId);
    ctx.log.info({ jobId, incidentId: job.incidentId, total: done.total, sent: done.sent, failed: done.failed, duplicatesSkipped: done.duplicatesSkipped }, 'broadcast completed');
    return job;
  };
}
