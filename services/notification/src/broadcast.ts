import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { BROADCAST_BATCH_SUBJECT, notificationEvents, type notificationContract } from '@lifeline/contracts';
import { isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import type { Channels } from './channels';
import { audienceScope, cutBatches, inAudience, orderVulnerableFirst } from './domain/audience';
import { liveProgress } from './domain/delivery';
import { predictSeconds } from './domain/rate';
import type { Recipient } from './model/batch';
import { jobModel, type JobDoc } from './model/job';
import { residentModel } from './model/resident';
import { jobProgress } from './progress';

type BroadcastRequest = z.infer<typeof notificationContract.BroadcastRequest>;
type BroadcastJob = notificationContract.BroadcastJob;

/** At most this many batch publishes in flight at once. */
const PUBLISH_WINDOW = 32;

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
  };
}

/** Internal narrowing of an audience (bulletins reach an area's subscribers only). */
export interface AudienceOptions {
  only?: ReadonlySet<string>;
}

/**
 * Starting a broadcast: resolve the audience, order it vulnerable-first, record the job (one per key), stream its
 * batches to the sender, each carrying its recipients (phones sealed) so the sender reads nothing to send. Every step is safe to repeat: the job is found by key, batch publishes carry
 * `${jobId}:${batch}` as Nats-Msg-Id, and the job is marked published only after the last batch landed.
 */
export function broadcasts(ctx: ServiceContext, batchSize: number, channels: Channels) {
  const Jobs = jobModel(ctx.db);
  const Residents = residentModel(ctx.db);
  const progress = jobProgress(ctx);

  async function resolveAudience(req: Pick<BroadcastRequest, 'communityId' | 'audience'>, options: AudienceOptions = {}): Promise<Recipient[]> {
    const scope = audienceScope(req.audience.groups);
    const filter = scope === 'everyone' ? { communityId: req.communityId } : { communityId: req.communityId, vulnerable: true };
    const members = (await Residents.find(filter, { _id: 1, vulnerabilities: 1, language: 1, phone: 1, gridId: 1, buildingId: 1 }).lean()).filter(
      (m) => inAudience(req.audience, m) && (!options.only || options.only.has(m._id)),
    );
    const ordered = orderVulnerableFirst(members.map((m) => ({ ...m, id: m._id })));
    return ordered.map((m) => ({ id: m.id, language: m.language, phone: m.phone, vulnerable: m.vulnerabilities.length > 0, gridId: m.gridId, buildingId: m.buildingId }));
  }

  /** Seconds to reach these recipients at the primary channel's rate. */
  function predict(channel: BroadcastRequest['channels'][number], recipients: readonly Recipient[]): number {
    const adapter = channels[channel];
    return predictSeconds(adapter.transmissions(recipients.map((r) => ({ residentId: r.id, gridId: r.gridId, buildingId: r.buildingId }))), adapter.ratePerSecond);
  }

  async function createJob(req: BroadcastRequest, total: number, batches: number, predictedSeconds: number): Promise<JobDoc> {
    const job: JobDoc = {
      _id: `bcast-${randomUUID()}`,
      idempotencyKey: req.idempotencyKey,
      incidentId: req.incidentId,
      stepId: req.stepId,
      communityId: req.communityId,
      groups: [...req.audience.groups],
      ...(req.audience.gridIds ? { gridIds: [...req.audience.gridIds] } : {}),
      ...(req.audience.buildingIds ? { buildingIds: [...req.audience.buildingIds] } : {}),
      channels: [...req.channels],
      message: req.message,
      severity: req.severity,
      drill: req.drill,
      status: batches === 0 ? 'completed' : 'queued',
      total,
      sent: 0,
      failed: 0,
      duplicatesSkipped: 0,
      batches,
      batchSize,
      batchesDone: [],
      published: false,
      predictedSeconds,
      ...(req.contactCap ? { contactCap: req.contactCap } : {}),
      ...(req.escalated ? { escalated: true } : {}),
      ...(req.confirmWithinMinutes ? { confirmWithinMinutes: req.confirmWithinMinutes } : {}),
      createdAt: new Date(),
      ...(batches === 0 ? { completedAt: new Date() } : {}),
    };
    try {
      await Jobs.collection.insertOne(job as never);
      return job;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const first = await Jobs.findOne({ idempotencyKey: req.idempotencyKey }).lean();
      if (!first) throw err;
      return first;
    }
  }

  async function publishBatches(jobId: string, batches: Recipient[][]): Promise<void> {
    for (let start = 0; start < batches.length; start += PUBLISH_WINDOW) {
      const window = batches.slice(start, start + PUBLISH_WINDOW);
      await Promise.all(
        window.map((recipients, i) => {
          const batch = start + i;
          const body: z.infer<typeof notificationContract.BroadcastBatch> = { jobId, batch, residentIds: recipients.map((r) => r.id), recipients };
          return ctx.events.publishWork(BROADCAST_BATCH_SUBJECT, `${jobId}:${batch}`, body);
        }),
      );
    }
  }

  async function announce(job: JobDoc): Promise<void> {
    const view = toBroadcastJob(job);
    await ctx.events.publish(notificationEvents.broadcastStarted, `${job._id}:started`, { ...view, status: 'queued', sent: 0, failed: 0, duplicatesSkipped: 0 }, job.incidentId);
    if (job.batches === 0) await ctx.events.publish(notificationEvents.broadcastCompleted, `${job._id}:completed`, view, job.incidentId);
  }

  return {
    resolveAudience,
    predict,
    async start(req: BroadcastRequest, options: AudienceOptions = {}): Promise<BroadcastJob> {
      audienceScope(req.audience.groups);
      const known = await Jobs.findOne({ idempotencyKey: req.idempotencyKey }).lean();
      if (known?.published) {
        await announce(known);
        return toBroadcastJob(await progress.one(known));
      }
      const recipients = await resolveAudience(req, options);
      const batches = cutBatches(recipients, batchSize);
      const total = recipients.length;
      let job = known ?? (await createJob(req, total, batches.length, predict(req.channels[0]!, recipients)));
      if (job.total !== total || job.batches !== batches.length) {
        // A retry after a crash before publishing: the registry may have changed since; the plan is re-resolved once more.
        job = (await Jobs.findOneAndUpdate({ _id: job._id, published: false }, { $set: { total, batches: batches.length, batchSize } }, { new: true }).lean()) ?? job;
      }
      await publishBatches(job._id, batches);
      await Jobs.updateOne({ _id: job._id }, { $set: { published: true } });
      await announce(job);
      ctx.log.info({ jobId: job._id, incidentId: job.incidentId, stepId: job.stepId, total: job.total, batches: job.batches, drill: job.drill }, 'broadcast queued');
      return toBroadcastJob(job);
    },
  };
}
