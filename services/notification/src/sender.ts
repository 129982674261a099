import type { z } from 'zod';
import { LifelineError, type notificationContract } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import type { Channels, OutboundMessage, SendResult, TransmitContext } from './channels';
import { capWindow, fallbackChannel, messageFor, primaryChannel, tallyBatch, type BatchTally } from './domain/delivery';
import { slotKey, slotModel, type SlotDoc } from './model/slot';
import { claimModel, deliveryKey, type ClaimDoc } from './model/claim';
import { deliveryModel, type DeliveryDoc } from './model/delivery';
import { jobModel, type JobDoc } from './model/job';
import { resultModel, type ResultDoc } from './model/result';
import { jobCompletion } from './progress';
import { residentModel } from './model/resident';
import { batchKey, batchModel, type Recipient } from './model/batch';

type BroadcastBatch = z.infer<typeof notificationContract.BroadcastBatch>;
type Channel = Parameters<typeof primaryChannel>[0][number];

interface WriteErrorLike {
  code?: number;
  index?: number;
}

/** Insert without stopping at duplicates; answers the indexes refused as duplicates. Any other error propagates. */
async function insertSkippingDuplicates(model: { collection: { insertMany(docs: never[], o: { ordered: boolean }): Promise<unknown> } }, docs: readonly unknown[]): Promise<Set<number>> {
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
    return new Set();
  } catch (err) {
    const raw = (err as { writeErrors?: WriteErrorLike | WriteErrorLike[] }).writeErrors;
    const writeErrors = raw === undefined ? [] : ([] as WriteErrorLike[]).concat(raw);
    if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000 || e.index === undefined)) throw err;
    return new Set(writeErrors.map((e) => e.index!));
  }
}

/**
 * Sends one batch of a broadcast:
 *  1. claim each resident for the incident step (one insert; a resident already claimed by this step is refused);
 *  2. hold back residents over the contact-frequency cap (unless escalated), send the rest on the primary channel
 *     (one adapter call), and retry the residents it failed for once on the step's next channel;
 *  3. record one delivery per resident with the gateway's answer (one insert);
 *  4. count the batch once: insert its result under `${jobId}:${batch}` (a redelivered batch is refused);
 *  5. when every batch is counted, write the final figures on the job and publish `broadcast-completed`.
 * A redelivery after an interruption between 1 and 3 re-sends only this batch's own claims that have no record yet.
 */
export function batchSender(ctx: ServiceContext, channels: Channels) {
  const Slots = slotModel(ctx.db);
  const Jobs = jobModel(ctx.db);
  const Residents = residentModel(ctx.db);
  const Claims = claimModel(ctx.db);
  const Deliveries = deliveryModel(ctx.db);
  const Batches = batchModel(ctx.db);
  const Results = resultModel(ctx.db);
  const completeIfDone = jobCompletion(ctx);

  /**
   * The batch's recipients from the snapshot written with the job (one primary-key read); a missing snapshot (a job
   * from before snapshots, or one deleted early) falls back to reading the registry.
   */
  async function loadRecipients(jobId: string, batch: number, ids: readonly string[], carried?: readonly Recipient[]): Promise<Map<string, Recipient>> {
    if (carried) return new Map(carried.map((r) => [r.id, r]));
    const snapshot = await Batches.findById(batchKey(jobId, batch)).lean();
    const recipients: Recipient[] = snapshot
      ? snapshot.recipients
      : (await Residents.find({ _id: { $in: ids } }, { language: 1, phone: 1, vulnerable: 1 }).lean()).map((r) => ({ id: r._id, language: r.language, phone: r.phone, vulnerable: r.vulnerable }));
    return new Map(recipients.map((r) => [r.id, r]));
  }

  /** Residents refused a claim that this very job and batch had claimed before (a redelivery), not yet recorded. */
  async function unfinishedOwnClaims(jobId: string, batch: number, refusedKeys: string[]): Promise<Set<string>> {
    const own = await Claims.find({ _id: { $in: refusedKeys }, jobId, batch }, { residentId: 1 }).lean();
    if (own.length === 0) return new Set();
    const recorded = new Set((await Deliveries.find({ _id: { $in: own.map((c) => c._id) } }, { _id: 1 }).lean()).map((d) => d._id));
    return new Set(own.filter((c) => !recorded.has(c._id)).map((c) => c.residentId));
  }

  function outbound(job: JobDoc, channel: Channel, ids: readonly string[], residents: Map<string, Recipient>): { messages: OutboundMessage[]; missing: SendResult[] } {
    const messages: OutboundMessage[] = [];
    const missing: SendResult[] = [];
    for (const residentId of ids) {
      const r = residents.get(residentId);
      if (!r) missing.push({ residentId, status: 'failed', reason: 'no longer in the registry' });
      else
        messages.push({
          residentId,
          channel,
          language: r.language,
          message: messageFor(job.message, r.language),
          phone: ctx.vault.open(r.phone),
          ...(r.gridId ? { gridId: r.gridId } : {}),
          ...(r.buildingId ? { buildingId: r.buildingId } : {}),
        });
    }
    return { messages, missing };
  }

  /**
   * Residents over the contact cap: each contact takes slot k < max of the resident's window (an insert under a unique
   * `_id`), trying k = 0, 1, … in rounds; those refused every slot are capped. An escalated step is never capped.
   */
  async function overCap(job: JobDoc, ids: readonly string[]): Promise<Set<string>> {
    if (!job.contactCap || job.escalated || ids.length === 0) return new Set();
    const window = capWindow(job.createdAt, job.contactCap.windowMinutes);
    let pending = [...ids];
    for (let k = 0; k < job.contactCap.max && pending.length > 0; k++) {
      const slots: SlotDoc[] = pending.map((residentId) => ({ _id: slotKey(residentId, window, k), residentId, jobId: job._id, createdAt: new Date() }));
      const refused = await insertSkippingDuplicates(Slots, slots);
      pending = pending.filter((_, i) => refused.has(i));
    }
    return new Set(pending);
  }

  return {
    /** Answers how the batch went, or undefined when it had already been counted. */
    async send({ jobId, batch, residentIds, recipients }: BroadcastBatch): Promise<BatchTally | undefined> {
      const t0 = performance.now();
      const lap: Record<string, number> = {};
      const mark = (step: string) => (lap[step] = Math.round(performance.now() - t0));
      const job = await Jobs.findById(jobId).lean();
      if (!job) throw new LifelineError('not_found', `no broadcast job ${jobId}`);
      if (job.status === 'completed' || (await Results.exists({ _id: batchKey(jobId, batch) }))) {
        await completeIfDone(jobId);
        return undefined;
      }
      const residents = await loadRecipients(jobId, batch, residentIds, recipients);
      mark('residents');
      const keys = residentIds.map((id) => deliveryKey(job.incidentId, job.stepId, id));
      const createdAt = new Date();
      const claims: ClaimDoc[] = residentIds.map((residentId, i) => ({ _id: keys[i]!, jobId, batch, residentId, createdAt }));
      const refused = await insertSkippingDuplicates(Claims, claims);
      const resumed = refused.size === 0 ? new Set<string>() : await unfinishedOwnClaims(jobId, batch, [...refused].map((i) => keys[i]!));
      mark('claimed');
      const toSend = residentIds.filter((id, i) => !refused.has(i) || resumed.has(id));

      const capped = await overCap(job, toSend);
      const reachable = toSend.filter((id) => !capped.has(id));
      const context: TransmitContext = { incidentId: job.incidentId, communityId: job.communityId, severity: job.severity, keyPrefix: jobId };
      const channel = primaryChannel(job.channels as Channel[]);
      const { messages, missing } = outbound(job, channel, reachable, residents);
      const first = await channels[channel].send(messages, job.drill, context);
      const results: (SendResult & { channel: Channel; fallbackFrom?: Channel })[] = [...first, ...missing].map((r) => ({ ...r, channel }));
      const second = fallbackChannel(job.channels as Channel[]);
      const failedFirst = first.filter((r) => r.status === 'failed').map((r) => r.residentId);
      if (second && failedFirst.length > 0) {
        const retried = await channels[second].send(outbound(job, second, failedFirst, residents).messages, job.drill, context);
        const byId = new Map(retried.map((r) => [r.residentId, r]));
        for (let i = 0; i < results.length; i++) {
          const again = byId.get(results[i]!.residentId);
          if (again) results[i] = { ...again, channel: second, fallbackFrom: channel };
        }
      }

      mark('gateway');
      const position = new Map(residentIds.map((id, i) => [id, batch * job.batchSize + i]));
      const record = (residentId: string, channelUsed: string, status: DeliveryDoc['status'], extra: Partial<DeliveryDoc>): DeliveryDoc => ({
        _id: deliveryKey(job.incidentId, job.stepId, residentId),
        incidentId: job.incidentId,
        stepId: job.stepId,
        residentId,
        jobId,
        communityId: job.communityId,
        batch,
        position: position.get(residentId)!,
        vulnerable: residents.get(residentId)?.vulnerable ?? false,
        channel: channelUsed,
        status,
        drill: job.drill,
        createdAt,
        ...extra,
      });
      const deliveries: DeliveryDoc[] = [
        ...results.map((r) =>
          record(r.residentId, r.channel, r.status, {
            ...(r.reason === undefined ? {} : { reason: r.reason }),
            ...(r.receiptId ? { receiptId: r.receiptId } : {}),
            ...(r.fallbackFrom ? { fallbackFrom: r.fallbackFrom } : {}),
          }),
        ),
        ...[...capped].map((id) => record(id, channel, 'capped', { reason: 'contact-frequency cap' })),
      ];
      if (deliveries.length > 0) await insertSkippingDuplicates(Deliveries, deliveries);

      mark('recorded');
      // Without refusals the gateway's answers are the whole story; otherwise count this batch's records.
      const outcomes = refused.size === 0 ? deliveries : await Deliveries.find({ jobId, batch }, { status: 1, channel: 1, fallbackFrom: 1 }).lean();
      const tally = tallyBatch(residentIds.length, outcomes);
      const result: ResultDoc = { _id: batchKey(jobId, batch), jobId, batch, ...tally, createdAt: new Date() };
      await insertSkippingDuplicates(Results, [result]);
      if (!recipients) await Batches.deleteOne({ _id: batchKey(jobId, batch) });
      mark('counted');
      await completeIfDone(jobId);
      mark('done');
      ctx.log.debug({ jobId, batch, ...tally, ms: lap }, 'batch sent');
      return tally;
    },
  };
}
