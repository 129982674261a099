import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { BROADCAST_BATCH_SUBJECT, notificationEvents, type notificationContract } from '@lifeline/contracts';
import { isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import type { Channels } from './channels';
import { audienceScope, inAudience, orderVulnerableFirst } from './domain/audience';
import { predictSeconds } from './domain/rate';
import type { Recipient } from './model/batch';
import { jobModel, type JobDoc } from './model/job';
import { residentModel, type ResidentDoc } from './model/resident';
import { jobCompletion, jobProgress } from './progress';
import { toBroadcastJob } from './view';

export { toBroadcastJob } from './view';

type BroadcastRequest = z.infer<typeof notificationContract.BroadcastRequest>;
type BroadcastJob = notificationContract.BroadcastJob;

/** At most this many batch publishes in flight at once. */
const PUBLISH_WINDOW = 32;
/** Registry documents the store hands over per cursor round trip while the audience is read. */
const READ_PAGE = 2000;
/** While cutting, the recipients found so far are written on the job at most this often. */
const PROGRESS_EVERY_MS = 5000;
/** A cut that failed in the background is tried again this many times (each attempt is safe to repeat). */
const CUT_ATTEMPTS = 3;

/** Internal narrowing of an audience (bulletins reach an area's subscribers only). */
export interface AudienceOptions {
  only?: ReadonlySet<string>;
}

type Member = Pick<ResidentDoc, '_id' | 'vulnerabilities' | 'language' | 'phone' | 'gridId' | 'buildingId'>;
const MEMBER_FIELDS = { _id: 1, vulnerabilities: 1, language: 1, phone: 1, gridId: 1, buildingId: 1 } as const;
const toRecipient = (m: Member): Recipient => ({ id: m._id, language: m.language, phone: m.phone, vulnerable: m.vulnerabilities.length > 0, gridId: m.gridId, buildingId: m.buildingId });

export interface BroadcastSettings {
  batchSize: number;
  /** `broadcast` answers once the job is cut, or after this long with the job as it stands (the cut goes on). */
  replyWithinMs: number;
}

/**
 * Starting a broadcast: record the job (one per key), then read the audience from the registry with a cursor and
 * queue its batches while reading, each carrying its recipients (phones sealed) so the sender reads nothing to send.
 * Vulnerable residents are queued as soon as a batch of them is full, so sending starts while the registry is still
 * being read; the others are held (sealed, compact) until the read is over, so that every vulnerable resident is
 * queued before any other. `broadcast` answers when the cut is done or after `replyWithinMs`, whichever comes first;
 * the job then shows `audienceResolved: false` and the recipients found so far until the last batch is queued.
 * Every step is safe to repeat: the job is found by key, batch publishes carry `${jobId}:${batch}` as Nats-Msg-Id
 * (an unchanged registry is read in the same order, so a repeated cut publishes the same batches), and the job is
 * marked published, with its final total and batch count, only after the last batch landed.
 */
export function broadcasts(ctx: ServiceContext, settings: BroadcastSettings, channels: Channels) {
  const { batchSize } = settings;
  const Jobs = jobModel(ctx.db);
  const Residents = residentModel(ctx.db);
  const progress = jobProgress(ctx);
  const completeIfDone = jobCompletion(ctx);
  /** Cuts running in this process, by job id: a repeated request joins the running cut instead of starting another. */
  const cutting = new Map<string, Promise<JobDoc>>();

  function registryFilter(req: Pick<BroadcastRequest, 'communityId' | 'audience'>) {
    return audienceScope(req.audience.groups) === 'everyone' ? { communityId: req.communityId } : { communityId: req.communityId, vulnerable: true };
  }

  /** The whole audience, vulnerable first (each group in id order); for predictions and small audiences. */
  async function resolveAudience(req: Pick<BroadcastRequest, 'communityId' | 'audience'>, options: AudienceOptions = {}): Promise<Recipient[]> {
    const members = (await Residents.find(registryFilter(req), MEMBER_FIELDS).lean()).filter((m) => inAudience(req.audience, m) && (!options.only || options.only.has(m._id)));
    return orderVulnerableFirst(members.map((m) => ({ ...m, id: m._id }))).map(toRecipient);
  }

  /** Seconds to reach these recipients at the primary channel's rate. */
  function predict(channel: BroadcastRequest['channels'][number], recipients: readonly Recipient[]): number {
    const adapter = channels[channel];
    return predictSeconds(adapter.transmissions(recipients.map((r) => ({ residentId: r.id, gridId: r.gridId, buildingId: r.buildingId }))), adapter.ratePerSecond);
  }

  async function createJob(req: BroadcastRequest): Promise<JobDoc> {
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
      status: 'queued',
      total: 0,
      sent: 0,
      failed: 0,
      duplicatesSkipped: 0,
      batches: 0,
      batchSize,
      batchesDone: [],
      published: false,
      audienceResolved: false,
      ...(req.contactCap ? { contactCap: req.contactCap } : {}),
      ...(req.escalated ? { escalated: true } : {}),
      ...(req.confirmWithinMinutes ? { confirmWithinMinutes: req.confirmWithinMinutes } : {}),
      createdAt: new Date(),
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

  async function announce(job: JobDoc): Promise<void> {
    const view = toBroadcastJob(job);
    await ctx.events.publish(notificationEvents.broadcastStarted, `${job._id}:started`, { ...view, status: 'queued', sent: 0, failed: 0, duplicatesSkipped: 0 }, job.incidentId);
  }

  /**
   * Read the audience with a cursor and queue its batches: full batches of vulnerable residents at once, the rest
   * after the read. Then the job gets its total and batch count and is marked published, in one write.
   */
  async function cut(job: JobDoc, req: BroadcastRequest, options: AudienceOptions): Promise<JobDoc> {
    const started = performance.now();
    const adapter = channels[req.channels[0]!];
    const zones = new Set<string>();
    let people = 0;
    let total = 0;
    let batch = 0;
    let inFlight: Promise<unknown>[] = [];
    const publish = async (recipients: Recipient[]): Promise<void> => {
      const n = batch++;
      const body: z.infer<typeof notificationContract.BroadcastBatch> = { jobId: job._id, batch: n, residentIds: recipients.map((r) => r.id), recipients };
      inFlight.push(ctx.events.publishWork(BROADCAST_BATCH_SUBJECT, `${job._id}:${n}`, body));
      if (inFlight.length >= PUBLISH_WINDOW) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    };
    let vulnerable: Recipient[] = [];
    const others: Recipient[] = [];
    let lastNote = performance.now();
    const cursor = Residents.collection.find(registryFilter(req), { projection: MEMBER_FIELDS, batchSize: READ_PAGE });
    for await (const doc of cursor) {
      const m = doc as unknown as Member;
      if (!inAudience(req.audience, m) || (options.only && !options.only.has(m._id))) continue;
      const r = toRecipient(m);
      total++;
      if (adapter.reach === 'person') people++;
      else zones.add(adapter.zone({ residentId: r.id, gridId: r.gridId, buildingId: r.buildingId }));
      if (!r.vulnerable) others.push(r);
      else if (vulnerable.push(r) === batchSize) {
        await publish(vulnerable);
        vulnerable = [];
      }
      if (performance.now() - lastNote > PROGRESS_EVERY_MS) {
        lastNote = performance.now();
        await Jobs.updateOne({ _id: job._id, published: false }, { $set: { total } });
      }
    }
    // The vulnerable residents left over open the next batch; the others follow in registry order.
    const rest = vulnerable.concat(others);
    for (let i = 0; i < rest.length; i += batchSize) await publish(rest.slice(i, i + batchSize));
    await Promise.all(inFlight);
    const predictedSeconds = predictSeconds(adapter.reach === 'person' ? people : zones.size, adapter.ratePerSecond);
    const queuedAt = new Date();
    await Jobs.updateOne({ _id: job._id }, { $set: { total, batches: batch, batchSize, predictedSeconds, audienceResolved: true, queuedAt, published: true } });
    const queued: JobDoc = { ...job, total, batches: batch, batchSize, predictedSeconds, audienceResolved: true, queuedAt, published: true };
    await announce(queued);
    ctx.log.info({ jobId: job._id, incidentId: job.incidentId, stepId: job.stepId, total, batches: batch, drill: job.drill, cutSeconds: Math.round(performance.now() - started) / 1000 }, 'broadcast queued');
    // Every batch may have been sent before the job knew how many there are (and an empty audience is done at once).
    const finished = await completeIfDone(job._id);
    return batch === 0 && finished ? finished : queued;
  }

  /** The cut of a job, at most once at a time in this process, tried again after a failure. */
  function cutOnce(job: JobDoc, req: BroadcastRequest, options: AudienceOptions): Promise<JobDoc> {
    const running = cutting.get(job._id);
    if (running) return running;
    const attempt = async (): Promise<JobDoc> => {
      for (let k = 1; ; k++) {
        try {
          return await cut(job, req, options);
        } catch (err) {
          if (k >= CUT_ATTEMPTS) throw err;
          ctx.log.warn({ jobId: job._id, attempt: k, err: (err as Error).message }, 'cutting the audience failed; trying again');
          await sleep(2000 * k);
        }
      }
    };
    const p = attempt();
    cutting.set(job._id, p);
    p.then(
      () => cutting.delete(job._id),
      (err: unknown) => {
        cutting.delete(job._id);
        ctx.log.error({ jobId: job._id, err: (err as Error).message }, 'cutting the audience failed; a repeat of the broadcast request resumes it');
      },
    );
    return p;
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
      const job = known ?? (await createJob(req));
      const running = cutOnce(job, req, options);
      const answered = await Promise.race([running, sleep(settings.replyWithinMs, undefined, { ref: false })]);
      if (answered) return toBroadcastJob(answered);
      // Still reading the registry: the job as it stands (recipients found so far); the cut goes on.
      return toBroadcastJob(await progress.one((await Jobs.findById(job._id).lean()) ?? job));
    },
  };
}
