import { LifelineError } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import type { Channels } from './channels';
import { deliveryModel } from './model/delivery';
import { jobModel } from './model/job';
import { replyModel } from './model/reply';
import { residentModel } from './model/resident';

/** Door-knocks created for unconfirmed residents, one per job and resident (counted in the summary). */
export const DOOR_KNOCKS = 'door_knocks';

/** Whether a job's confirmation deadline has passed (no deadline → the caller decides, e.g. a workflow timer). */
export function deadlinePassed(job: { createdAt: Date; confirmWithinMinutes?: number }, now: Date): boolean {
  return job.confirmWithinMinutes === undefined || now.getTime() >= job.createdAt.getTime() + job.confirmWithinMinutes * 60_000;
}

/**
 * Vulnerable residents a job reached (or tried to) who have not replied `safe` for the incident become door-knock
 * tasks for their grid worker, through the door-knock channel (personnel dispatch keyed by job and resident, so a
 * repeat creates nothing new).
 */
export function unconfirmedVulnerable(ctx: ServiceContext, channels: Channels) {
  const Jobs = jobModel(ctx.db);
  const Deliveries = deliveryModel(ctx.db);
  const Replies = replyModel(ctx.db);
  const Residents = residentModel(ctx.db);

  return {
    async escalate({ jobId }: { jobId: string }) {
      const job = await Jobs.findById(jobId).lean();
      if (!job) throw new LifelineError('not_found', `no broadcast job ${jobId}`);
      if (!deadlinePassed(job, new Date())) {
        throw new LifelineError('invalid_state', `the confirmation deadline of ${jobId} has not passed`, [{ path: 'jobId', message: `${job.confirmWithinMinutes} minutes after ${job.createdAt.toISOString()}` }]);
      }
      const reached = await Deliveries.find({ jobId, vulnerable: true }, { residentId: 1 }).lean();
      const safe = new Set((await Replies.find({ incidentId: job.incidentId, kind: 'safe' }, { residentId: 1 }).lean()).map((r) => r.residentId));
      const unconfirmed = reached.map((d) => d.residentId).filter((id) => !safe.has(id));
      const residents = await Residents.find({ _id: { $in: unconfirmed } }, { gridId: 1, buildingId: 1, language: 1 }).lean();
      const results = await channels['door-knock'].send(
        residents.map((r) => ({ residentId: r._id, channel: 'door-knock', language: r.language, message: '', phone: '', gridId: r.gridId, buildingId: r.buildingId })),
        job.drill,
        { incidentId: job.incidentId, communityId: job.communityId, severity: job.severity, keyPrefix: `${jobId}:unconfirmed` },
      );
      const knocked = results.filter((r) => r.status === 'sent' && r.receiptId);
      const taskIds = knocked.map((r) => r.receiptId!);
      if (knocked.length > 0) {
        const docs = knocked.map((r) => ({ _id: `${jobId}:${r.residentId}`, incidentId: job.incidentId, jobId, residentId: r.residentId, taskId: r.receiptId, createdAt: new Date() }));
        await ctx.db.collection(DOOR_KNOCKS).insertMany(docs as never[], { ordered: false }).catch((err: unknown) => {
          if (!String((err as Error).message).includes('E11000')) throw err;
        });
      }
      ctx.log.info({ jobId, incidentId: job.incidentId, unconfirmed: unconfirmed.length, doorKnocks: taskIds.length }, 'unconfirmed vulnerable residents → door-knocks');
      return { jobId, unconfirmed: unconfirmed.length, doorKnocks: taskIds.length, taskIds };
    },
  };
}
