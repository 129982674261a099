import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { BROADCAST_BATCH_SUBJECT, notificationEvents, type notificationContract } from '@lifeline/contracts';
import { isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { audienceStore, ID_IN_CHUNK } from './audience-store';
import type { Channels } from './channels';
import { audienceScope, inAudience } from './domain/audience';
import { inBroadcastOrder } from './domain/audience-index';
import { fromEntries, fromIndex, transmissionsFor, worthQueueing, type PageAudience } from './domain/cut';
import { isVulnerablePage } from './domain/page';
import { predictSeconds } from './domain/rate';
import { jobModel, type JobDoc } from './model/job';
import { residentModel } from './model/resident';
import { broadcastRecords } from './sheets';
import { jobCompletion, jobProgress } from './progress';
import { toBroadcastJob } from './view';

export { toBroadcastJob } from './view';

type BroadcastRequest = z.infer<typeof notificationContract.BroadcastRequest>;
type BroadcastJob = notificationContract.BroadcastJob;
type BroadcastPage = z.infer<typeof notificationContract.BroadcastPage>;
type AudienceRequest = Pick<BroadcastRequest, 'communityId' | 'audience' | 'channels'>;

/** At most this many work-item publishes in flight at once. */
const PUBLISH_WINDOW = 32;
/** Pages the cut reads at once when the index cannot answer for them (mixed or being seeded). */
const READ_WINDOW = 8;
/** A cut that failed in the background is tried again this many times (each attempt is safe to repeat). */
const CUT_ATTEMPTS = 3;

/** Internal narrowing of an audience (bulletins reach an area's subscribers only). */
export interface AudienceOptions {
  only?: ReadonlySet<string>;
}

/** A page of a cut, with the residents it is narrowed to when only some of the page are meant. */
type QueuedPage = PageAudience & { only?: string[]; pending?: boolean };

export interface BroadcastSettings {
  /** `broadcast` answers once the job is cut, or after this long with the job as it stands (the cut goes on). */
  replyWithinMs: number;
}

/**
 * Starting a broadcast: record the job (one per key), then cut its audience from the community's audience index —
 * the pages in broadcast order (vulnerable pages first), each counted from the index (a page is read only when the
 * index cannot answer: a mixed page under a narrowed audience, or one a seeding round is writing) — and queue one
 * work item per page, with no per-resident data. The job gets its total, page counts and `predictedSeconds` and is
 * marked published once the last page is on the stream. Every step is safe to repeat: the job is found by key, page
 * publishes carry `${jobId}:${pageId}` as Nats-Msg-Id, and the sender's records keep sending exactly once.
 */
export function broadcasts(ctx: ServiceContext, settings: BroadcastSettings, channels: Channels) {
  const Jobs = jobModel(ctx.db);
  const Residents = residentModel(ctx.db);
  const store = audienceStore(ctx);
  const progress = jobProgress(ctx);
  const completeIfDone = jobCompletion(ctx);
  const records = broadcastRecords(ctx);
  /** Cuts running in this process, by job id: a repeated request joins the running cut instead of starting another. */
  const cutting = new Map<string, Promise<JobDoc>>();

  const needsZones = (req: AudienceRequest) => channels[req.channels[0]!].reach === 'building' || channels[req.channels[0]!].reach === 'grid';

  /** The audience's pages from the community's index, vulnerable first. */
  async function indexedPages(req: AudienceRequest): Promise<QueuedPage[]> {
    const vulnerableOnly = audienceScope(req.audience.groups) === 'vulnerable';
    const index = await store.readIndex(req.communityId);
    const pages = inBroadcastOrder(index.pages).filter((p) => !vulnerableOnly || isVulnerablePage(p.pageId));
    const zones = needsZones(req);
    const planned = pages.map((p) => ({ page: p, pending: index.pending.has(p.pageId), known: fromIndex(p, req.audience, zones, index.pending.has(p.pageId)) }));
    const unknown = planned.filter((p) => !p.known).map((p) => p.page.pageId);
    const read = new Map<string, PageAudience>();
    for (let i = 0; i < unknown.length; i += READ_WINDOW) {
      for (const [pageId, entries] of await store.readPages(unknown.slice(i, i + READ_WINDOW))) read.set(pageId, fromEntries(pageId, entries, req.audience));
    }
    return planned.map((p) => ({ ...(p.known ?? read.get(p.page.pageId)!), pending: p.pending })).filter((p) => worthQueueing(p, p.pending, req.audience));
  }

  /** A subscriber audience: the named residents' pages (read from their registry records), vulnerable first. */
  async function subscriberPages(req: AudienceRequest, only: ReadonlySet<string>): Promise<QueuedPage[]> {
    const vulnerableOnly = audienceScope(req.audience.groups) === 'vulnerable';
    const ids = [...only];
    const byPage = new Map<string, { id: string; gridId: string; buildingId: string }[]>();
    for (let i = 0; i < ids.length; i += ID_IN_CHUNK) {
      const found = await Residents.find({ _id: { $in: ids.slice(i, i + ID_IN_CHUNK) } }, { communityId: 1, gridId: 1, buildingId: 1, pageId: 1, vulnerable: 1 }).lean();
      for (const r of found) {
        if (r.communityId !== req.communityId || !r.pageId || (vulnerableOnly && !r.vulnerable) || !inAudience(req.audience, r)) continue;
        byPage.set(r.pageId, [...(byPage.get(r.pageId) ?? []), { id: r._id, gridId: r.gridId, buildingId: r.buildingId }]);
      }
    }
    return inBroadcastOrder([...byPage].map(([pageId, members]) => ({
      pageId,
      vulnerable: isVulnerablePage(pageId),
      expected: members.length,
      grids: new Set(members.map((m) => m.gridId)),
      buildings: new Set(members.map((m) => m.buildingId)),
      only: members.map((m) => m.id).sort(),
    })));
  }

  const audiencePages = (req: AudienceRequest, options: AudienceOptions) => (options.only ? subscriberPages(req, options.only) : indexedPages(req));

  /** Recipients, vulnerable among them and seconds to reach them at the primary channel's rate (before a broadcast). */
  async function predict(req: AudienceRequest): Promise<{ recipients: number; vulnerable: number; predictedSeconds: number; ratePerSecond: number }> {
    const pages = await indexedPages(req);
    const adapter = channels[req.channels[0]!];
    return {
      recipients: pages.reduce((n, p) => n + p.expected, 0),
      vulnerable: pages.filter((p) => p.vulnerable).reduce((n, p) => n + p.expected, 0),
      predictedSeconds: predictSeconds(transmissionsFor(adapter.reach, pages), adapter.ratePerSecond),
      ratePerSecond: adapter.ratePerSecond,
    };
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
      pages: 0,
      vulnerablePages: 0,
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

  /** Cut the audience into pages and queue them; then the job gets its total and page counts and is published. */
  async function cut(job: JobDoc, req: BroadcastRequest, options: AudienceOptions): Promise<JobDoc> {
    const started = performance.now();
    const pages = await audiencePages(req, options);
    const cutMs = performance.now() - started;
    const vulnerablePages = pages.filter((p) => p.vulnerable).length;
    await records.expect(job._id, pages.map((p) => p.pageId));
    let inFlight: Promise<unknown>[] = [];
    for (const p of pages) {
      const body: BroadcastPage = { v: 2, jobId: job._id, pageId: p.pageId, expected: p.expected, after: p.vulnerable ? 0 : vulnerablePages, ...(p.only ? { only: p.only } : {}) };
      inFlight.push(ctx.events.publishWork(BROADCAST_BATCH_SUBJECT, `${job._id}:${p.pageId}`, body));
      if (inFlight.length >= PUBLISH_WINDOW) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    const adapter = channels[req.channels[0]!];
    const total = pages.reduce((n, p) => n + p.expected, 0);
    const queued = { total, queuedTotal: total, pages: pages.length, vulnerablePages, predictedSeconds: predictSeconds(transmissionsFor(adapter.reach, pages), adapter.ratePerSecond), audienceResolved: true, queuedAt: new Date(), published: true };
    await Jobs.updateOne({ _id: job._id }, { $set: queued });
    const published: JobDoc = { ...job, ...queued };
    await announce(published);
    ctx.log.info({ jobId: job._id, incidentId: job.incidentId, stepId: job.stepId, total, pages: pages.length, vulnerablePages, drill: job.drill, cutMs: Math.round(cutMs), queuedMs: Math.round(performance.now() - started) }, 'broadcast queued');
    // Every page may have been sent before the job knew how many there are (and an empty audience is done at once).
    const finished = await completeIfDone(job._id);
    return finished?.status === 'completed' ? finished : published;
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
      // Still queueing: the job as it stands; the cut goes on.
      return toBroadcastJob(await progress.one((await Jobs.findById(job._id).lean()) ?? job));
    },
  };
}
