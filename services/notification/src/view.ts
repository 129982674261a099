import type { notificationContract } from '@lifeline/contracts';
import { liveProgress } from './domain/delivery';
import type { JobDoc } from './model/job';

type BroadcastJob = notificationContract.BroadcastJob;

/** The contract's view of a stored job, with live progress figures while it runs. */
export function toBroadcastJob(job: JobDoc, now: Date = new Date()): BroadcastJob {
  const settled = job.sent + job.failed + job.duplicatesSkipped + (job.frequencyCapped ?? 0);
  const live = liveProgress(job.createdAt, job.completedAt ?? now, job.total, settled);
  return {
    jobId: job._id,
    incidentId: job.incidentId,
    communityId: job.communityId,
    stepId: job.stepId,
    status: job.status,
    drill: job.drill,
    total: job.total,
    sent: job.sent,
    failed: job.failed,
    duplicatesSkipped: job.duplicatesSkipped,
    frequencyCapped: job.frequencyCapped ?? 0,
    fallbacks: job.fallbacks ?? 0,
    byChannel: job.byChannel ?? {},
    ...(job.predictedSeconds === undefined ? {} : { predictedSeconds: job.predictedSeconds }),
    ...live,
    audienceResolved: job.audienceResolved !== false,
  };
}
