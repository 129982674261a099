import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { LifelineError, type notificationContract } from '@lifeline/contracts';
import { recordBroadcastOutcomes, type ServiceContext } from '@lifeline/platform';
import { audienceStore } from './audience-store';
import type { Channels, OutboundMessage } from './channels';
import { stepKeyOf } from './domain/contact-cap';
import { fromEntries } from './domain/cut';
import { fallbackChannel, messageFor, primaryChannel } from './domain/delivery';
import { isVulnerablePage, type PageEntry } from './domain/page';
import { callKeyOf, pendingByTag, sheetIdOf, tallyPage, type Outcome, type PageTally, type SheetState } from './domain/sheet';
import { jobModel, type JobDoc } from './model/job';
import { jobCompletion } from './progress';
import { broadcastRecords } from './sheets';

type BroadcastPage = z.infer<typeof notificationContract.BroadcastPage>;
type Channel = Parameters<typeof primaryChannel>[0][number];

/** An other-residents page waits at most this long for the job's vulnerable pages before it is sent anyway. */
const VULNERABLE_FIRST_MAX_WAIT_MS = 30_000;
const VULNERABLE_FIRST_POLL_MS = 50;
/** Jobs whose settings this process keeps in memory (they never change once a job is created). */
const JOB_CACHE = 500;

/**
 * Sends one page of a broadcast, every step safe to repeat (a redelivered work item, a retry after a crash or a
 * store outage at any point runs the same steps and reaches the same decisions):
 *  1. claim: append this job's claim for the page's recipients to the step's delivery sheet; a resident belongs to
 *     the first job that claimed them for the step, so overlapping jobs never both message them (the others count
 *     as `duplicatesSkipped`);
 *  2. cap: log the step's intent in the page's contact log for the window (unless escalated): residents the window's
 *     earlier steps already used up are held back;
 *  3. send: this job's claimed residents without an outcome, one gateway call per channel under the deterministic
 *     key `${sheetId}:${tag}:${channel}` (a retry after an unknown outcome is answered from the gateway's record, not
 *     transmitted again); residents the first channel failed for go once to the step's next channel;
 *  4. record the answers on the sheet;
 *  5. count the page into the job (the first count of a page holds), and complete the job when every page is counted.
 * Pages of other residents wait, before step 3, until the job's vulnerable pages are counted (vulnerable first).
 */
export function pageSender(ctx: ServiceContext, channels: Channels) {
  const Jobs = jobModel(ctx.db);
  const store = audienceStore(ctx);
  const records = broadcastRecords(ctx);
  const completeIfDone = jobCompletion(ctx);
  const jobs = new Map<string, JobDoc>();
  const vulnerableDone = new Set<string>();
  /** Milliseconds this process spent per step of each open job, summed over its pages (logged when it completes). */
  const stages = new Map<string, Record<string, number>>();

  async function jobOf(jobId: string): Promise<JobDoc> {
    const known = jobs.get(jobId);
    if (known) return known;
    const job = await Jobs.findById(jobId).lean();
    if (!job) throw new LifelineError('not_found', `no broadcast job ${jobId}`);
    if (jobs.size >= JOB_CACHE) jobs.delete(jobs.keys().next().value!);
    jobs.set(jobId, job);
    return job;
  }

  async function refreshed(jobId: string): Promise<JobDoc> {
    jobs.delete(jobId);
    return jobOf(jobId);
  }

  /** Vulnerable first: wait until the job's vulnerable pages are counted (or give up waiting, logged). */
  async function afterVulnerable(job: JobDoc, work: BroadcastPage): Promise<void> {
    if (work.after === 0 || vulnerableDone.has(job._id)) return;
    const deadline = Date.now() + VULNERABLE_FIRST_MAX_WAIT_MS;
    for (;;) {
      const counted = (await records.figures([job._id])).get(job._id)?.vulnerablePagesCounted ?? 0;
      if (counted >= work.after) {
        vulnerableDone.add(job._id);
        return;
      }
      if (Date.now() > deadline) {
        ctx.log.warn({ jobId: job._id, pageId: work.pageId, counted, vulnerablePages: work.after }, 'vulnerable pages still not counted; sending the others anyway');
        return;
      }
      await sleep(VULNERABLE_FIRST_POLL_MS);
    }
  }

  function outbound(job: JobDoc, channel: Channel, ids: readonly string[], entries: ReadonlyMap<string, PageEntry>): OutboundMessage[] {
    return ids.map((residentId) => {
      const e = entries.get(residentId)!;
      return { residentId, channel, language: e.language, message: messageFor(job.message, e.language), phone: e.phone, gridId: e.gridId, buildingId: e.buildingId };
    });
  }

  /** Step 3 for one round tag: the gateway's answers (primary, then fallback for its failures) as outcomes. */
  async function transmit(job: JobDoc, sheetId: string, tag: string, ids: readonly string[], entries: ReadonlyMap<string, PageEntry>, capped: ReadonlySet<string>): Promise<Outcome[]> {
    const primary = primaryChannel(job.channels as Channel[]);
    const second = fallbackChannel(job.channels as Channel[]);
    const now = Date.now();
    // A resident claimed on an earlier attempt who has left the page since (moved) can no longer be addressed.
    const outcomes: Outcome[] = ids.filter((id) => !entries.has(id)).map((residentId) => ({ residentId, status: 'failed', channel: primary, at: now }));
    for (const residentId of ids) if (capped.has(residentId)) outcomes.push({ residentId, status: 'capped', channel: primary, at: now });
    const reachable = ids.filter((id) => entries.has(id) && !capped.has(id));
    if (reachable.length === 0) return outcomes;
    const context = (channel: Channel) => ({ incidentId: job.incidentId, communityId: job.communityId, severity: job.severity, keyPrefix: job._id, stepId: job.stepId, callKey: callKeyOf(sheetId, tag, channel), zoneKeyPrefix: `${job.incidentId}:${job.stepId}:${channel}` });
    const first = await channels[primary].send(outbound(job, primary, reachable, entries), job.drill, context(primary));
    const firstAt = Date.now();
    const failed = first.filter((r) => r.status === 'failed').map((r) => r.residentId);
    const retried = second && failed.length > 0 ? await channels[second].send(outbound(job, second, failed, entries), job.drill, context(second)) : [];
    const secondAt = Date.now();
    const again = new Map(retried.map((r) => [r.residentId, r]));
    for (const r of first) {
      const fallback = again.get(r.residentId);
      if (fallback) outcomes.push({ residentId: r.residentId, status: fallback.status, channel: second!, fallbackFrom: primary, at: secondAt, ...(fallback.receiptId ? { receiptId: fallback.receiptId } : {}) });
      else outcomes.push({ residentId: r.residentId, status: r.status, channel: primary, at: firstAt, ...(r.receiptId ? { receiptId: r.receiptId } : {}) });
    }
    return outcomes;
  }

  return {
    /** Sends one page; answers how it went (its tally as counted). */
    async send(work: BroadcastPage): Promise<PageTally> {
      let t = performance.now();
      const lap: Record<string, number> = {};
      const mark = (step: string) => {
        const now = performance.now();
        lap[step] = Math.round(now - t);
        t = now;
      };
      const job = await jobOf(work.jobId);
      const page = await store.readPage(work.pageId);
      const vulnerableOnly = !job.groups.includes('everyone');
      const { members } = fromEntries(work.pageId, vulnerableOnly && !isVulnerablePage(work.pageId) ? [] : page.entries, job, work.only ? new Set(work.only) : undefined);
      const entries = new Map(page.entries.map((e) => [e.residentId, e]));
      mark('page');
      const sheetId = sheetIdOf(job.incidentId, job.stepId, work.pageId);
      let state: SheetState = await records.claim(sheetId, { incidentId: job.incidentId, stepId: job.stepId, pageId: work.pageId }, job._id, members.map((m) => m.residentId));
      mark('claimed');
      const pending = pendingByTag(state, job._id);
      if (pending.size > 0) {
        const all = [...pending.values()].flat();
        const capped = job.contactCap && !job.escalated ? await records.capped(work.pageId, job.contactCap, job.createdAt, stepKeyOf(job.incidentId, job.stepId), all.filter((id) => entries.has(id))) : new Set<string>();
        mark('capped');
        await afterVulnerable(job, work);
        mark('waited');
        const outcomes: Outcome[] = [];
        for (const [tag, ids] of pending) outcomes.push(...(await transmit(job, sheetId, tag, ids, entries, capped)));
        mark('gateway');
        await records.record(sheetId, job._id, outcomes);
        recordBroadcastOutcomes(outcomes, job.drill);
        state = { owners: state.owners, outcomes: new Map([...state.outcomes, ...outcomes.map((o) => [o.residentId, o] as const)]) };
        mark('recorded');
      }
      const tally = tallyPage(work.pageId, state, job._id, members.map((m) => m.residentId), work.expected, Date.now());
      const shardComplete = await records.count(job._id, tally);
      mark('counted');
      const spent = stages.get(job._id) ?? {};
      for (const [step, ms] of Object.entries(lap)) spent[step] = (spent[step] ?? 0) + ms;
      if (!stages.has(job._id) && stages.size >= JOB_CACHE) stages.delete(stages.keys().next().value!);
      stages.set(job._id, spent);
      ctx.log.debug({ jobId: job._id, pageId: work.pageId, sent: tally.sent, failed: tally.failed, duplicatesSkipped: tally.duplicatesSkipped, ms: lap }, 'page sent');
      // Only when this page's shard has every page it expects can the job be complete: then every shard is read. The
      // cut marks a job published once its last page is queued; until then read it again (it is small).
      const latest = shardComplete && !job.published ? await refreshed(job._id) : job;
      const figures = shardComplete && latest.published ? (await records.figures([job._id])).get(job._id) : undefined;
      if (figures && figures.pagesToCount === 0) {
        await completeIfDone(job._id, figures);
        ctx.log.info({ jobId: job._id, pages: latest.pages, msPerStep: spent }, 'broadcast pages sent: time per step, summed over the pages this process sent');
        stages.delete(job._id);
      }
      return tally;
    },
  };
}
