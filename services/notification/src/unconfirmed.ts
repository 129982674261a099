import { LifelineError } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import { audienceStore } from './audience-store';
import type { Channels } from './channels';
import { isVulnerablePage } from './domain/page';
import { sheetIdOf } from './domain/sheet';
import { decodeTally } from './domain/tally';
import { jobModel } from './model/job';
import { replyModel } from './model/reply';
import { broadcastRecords } from './sheets';

/** Door-knocks created for unconfirmed residents, one per job and resident (counted in the summary). */
export const DOOR_KNOCKS = 'door_knocks';

/** Whether a job's confirmation deadline has passed (no deadline → the caller decides, e.g. a workflow timer). */
export function deadlinePassed(job: { createdAt: Date; confirmWithinMinutes?: number }, now: Date): boolean {
  return job.confirmWithinMinutes === undefined || now.getTime() >= job.createdAt.getTime() + job.confirmWithinMinutes * 60_000;
}

/**
 * Vulnerable residents a job reached (or tried to, or held back by the contact cap) who have not replied `safe` for
 * the incident become door-knock tasks for their grid worker, through the door-knock channel (personnel dispatch
 * keyed by job and resident, so a repeat creates nothing new). The job's vulnerable pages come from its tally, its
 * residents from those pages' delivery sheets, their grid and building from the pages themselves.
 */
export function unconfirmedVulnerable(ctx: ServiceContext, channels: Channels) {
  const Jobs = jobModel(ctx.db);
  const Replies = replyModel(ctx.db);
  const store = audienceStore(ctx);
  const records = broadcastRecords(ctx);

  /** The job's vulnerable residents, with where they live. */
  async function reachedVulnerable(job: { _id: string; incidentId: string; stepId: string }) {
    const tally = (await records.tallies([job._id])).get(job._id)?.records ?? [];
    const pageIds = [...new Set(tally.map((r) => decodeTally(r).pageId))].filter(isVulnerablePage);
    const sheets = await records.sheets(pageIds.map((p) => sheetIdOf(job.incidentId, job.stepId, p)));
    const pages = await store.readPages(pageIds);
    return pageIds.flatMap((pageId) => {
      const sheet = sheets.get(sheetIdOf(job.incidentId, job.stepId, pageId));
      const mine = (e: { residentId: string }) => sheet?.owners.get(e.residentId)?.jobId === job._id && sheet.outcomes.has(e.residentId);
      return (pages.get(pageId) ?? []).filter(mine);
    });
  }

  return {
    async escalate({ jobId }: { jobId: string }) {
      const job = await Jobs.findById(jobId).lean();
      if (!job) throw new LifelineError('not_found', `no broadcast job ${jobId}`);
      if (!deadlinePassed(job, new Date())) {
        throw new LifelineError('invalid_state', `the confirmation deadline of ${jobId} has not passed`, [{ path: 'jobId', message: `${job.confirmWithinMinutes} minutes after ${job.createdAt.toISOString()}` }]);
      }
      const reached = await reachedVulnerable(job);
      const safe = new Set((await Replies.find({ incidentId: job.incidentId, kind: 'safe' }, { residentId: 1 }).lean()).map((r) => r.residentId));
      const unconfirmed = reached.filter((r) => !safe.has(r.residentId));
      const results = await channels['door-knock'].send(
        unconfirmed.map((r) => ({ residentId: r.residentId, channel: 'door-knock', language: r.language, message: '', phone: '', gridId: r.gridId, buildingId: r.buildingId })),
        job.drill,
        { incidentId: job.incidentId, communityId: job.communityId, severity: job.severity, keyPrefix: `${jobId}:unconfirmed`, callKey: `${jobId}:unconfirmed:door-knock` },
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
