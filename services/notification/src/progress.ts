import { notificationEvents } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import { timeToReach } from './domain/delivery';
import type { JobFigures } from './domain/tally';
import { jobModel, type JobDoc } from './model/job';
import { broadcastRecords } from './sheets';
import { toBroadcastJob } from './view';

const NOTHING_COUNTED: JobFigures = { pagesCounted: 0, pagesToCount: 0, vulnerablePagesCounted: 0, sent: 0, failed: 0, duplicatesSkipped: 0, frequencyCapped: 0, fallbacks: 0, byChannel: {}, totalCorrection: 0, settled: [] };

/** A job's figures from its tally: counted pages, outcomes, the total as corrected by the senders. */
function withFigures(job: JobDoc, f: JobFigures = NOTHING_COUNTED): JobDoc {
  // Published means the cut wrote every page it queued into the shards' expectations first.
  const done = job.published && f.pagesToCount === 0;
  return {
    ...job,
    status: done ? 'completed' : f.pagesCounted > 0 ? 'sending' : 'queued',
    total: (job.queuedTotal ?? job.total) + f.totalCorrection,
    sent: f.sent,
    failed: f.failed,
    duplicatesSkipped: f.duplicatesSkipped,
    frequencyCapped: f.frequencyCapped,
    fallbacks: f.fallbacks,
    byChannel: f.byChannel,
    pagesDone: f.pagesCounted,
  };
}

/**
 * Jobs as they stand: a completed job carries its final figures; an open one is summed from its page tallies.
 * A job whose audience is not yet queued (not published) cannot be complete, whatever its pages so far.
 */
export function jobProgress(ctx: ServiceContext) {
  const records = broadcastRecords(ctx);

  async function current(jobs: JobDoc[]): Promise<JobDoc[]> {
    const open = jobs.filter((j) => j.status !== 'completed');
    if (open.length === 0) return jobs;
    const figures = await records.figures(open.map((j) => j._id));
    return jobs.map((job) => (job.status === 'completed' ? job : withFigures(job, figures.get(job._id))));
  }

  return {
    current,
    one: async (job: JobDoc): Promise<JobDoc> => (await current([job]))[0]!,
  };
}

/**
 * When every page of a published job is counted: write the final figures on the job and announce it (deduplicated
 * by `${jobId}:completed`). Called by the sender after each page it counts (with the figures that count answered)
 * and by the cut once it has queued the last page (the pages may all have been sent before the job knew how many
 * there are). Two callers may both complete a job: they write the same figures, and the event is deduplicated.
 */
export function jobCompletion(ctx: ServiceContext) {
  const Jobs = jobModel(ctx.db);
  const records = broadcastRecords(ctx);

  return async function completeIfDone(jobId: string, known?: JobFigures): Promise<JobDoc | undefined> {
    const stored = await Jobs.findById(jobId).lean();
    if (!stored?.published) return stored ?? undefined;
    const figures = known ?? (await records.figures([jobId])).get(jobId);
    const job = stored.status === 'completed' ? stored : withFigures(stored, figures);
    if (job.status !== 'completed') return job;
    if (stored.status !== 'completed') {
      const reach = timeToReach(stored.createdAt, job.total, (figures?.settled ?? []).map((s) => ({ createdAt: new Date(s.at), settled: s.n })));
      job.completedAt = new Date();
      if (reach) job.timeToReach = reach;
      const { status, total, sent, failed, duplicatesSkipped, frequencyCapped, fallbacks, byChannel, pagesDone, completedAt } = job;
      await Jobs.updateOne({ _id: jobId }, { $set: { status, total, sent, failed, duplicatesSkipped, frequencyCapped, fallbacks, byChannel, pagesDone, completedAt, ...(reach ? { timeToReach: reach } : {}) } });
    }
    const done = toBroadcastJob(job);
    await ctx.events.publish(notificationEvents.broadcastCompleted, `${jobId}:completed`, done, job.incidentId);
    ctx.log.info({ jobId, incidentId: job.incidentId, total: done.total, sent: done.sent, failed: done.failed, duplicatesSkipped: done.duplicatesSkipped }, 'broadcast completed');
    return job;
  };
}

