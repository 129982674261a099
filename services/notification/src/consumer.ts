import type { JsMsg } from '@nats-io/jetstream';
import { BROADCAST_BATCH_SUBJECT, LifelineError, notificationContract, STREAMS } from '@lifeline/contracts';
import { ack, failureDelayMs, retry, runConsumer, term, type Outcome, type ServiceContext } from '@lifeline/platform';
import type { pageSender } from './sender';

/** The durable JetStream consumer that sends broadcast pages; shared by every replica (work is split between them). */
export const BROADCAST_CONSUMER = 'broadcast-sender';

export interface ConsumerSettings {
  concurrency: number;
  ackWaitSeconds: number;
}

/**
 * Consume broadcast pages: at most `concurrency` pages at once; each is acked only after it is counted into the job,
 * its ack deadline is extended while the gateway answers, and it is redelivered after a failure (a store outage
 * included).
 */
export async function startBroadcastConsumer(ctx: ServiceContext, sender: ReturnType<typeof pageSender>, settings: ConsumerSettings): Promise<() => Promise<void>> {
  async function sendPage(m: JsMsg): Promise<Outcome> {
    let body: unknown;
    try {
      body = m.json();
    } catch {
      return term('work item is not JSON');
    }
    const parsed = notificationContract.BroadcastWork.safeParse(body);
    if (!parsed.success) return term('malformed work item');
    if (!('v' in parsed.data)) {
      ctx.log.error({ seq: m.seq, jobId: parsed.data.jobId, batch: parsed.data.batch }, 'a v1 broadcast batch (queued before pages) is not sent; repeat the broadcast request to send its job');
      return term('v1 batch');
    }
    const work = parsed.data;
    try {
      await sender.send(work);
      return ack();
    } catch (err) {
      if (err instanceof LifelineError && err.code === 'not_found') {
        ctx.log.error({ jobId: work.jobId, pageId: work.pageId }, err.message);
        return term(err.message);
      }
      ctx.log.error({ err: `${(err as Error).name}: ${(err as Error).message}`, jobId: work.jobId, pageId: work.pageId, redelivery: m.info.deliveryCount }, 'page failed; redelivering');
      return retry(failureDelayMs(m.info.deliveryCount));
    }
  }

  const consumer = runConsumer({
    nc: ctx.nc,
    log: ctx.log,
    stream: STREAMS.work.name,
    durable: BROADCAST_CONSUMER,
    filter: BROADCAST_BATCH_SUBJECT,
    ackWaitMs: settings.ackWaitSeconds * 1000,
    concurrency: settings.concurrency,
    spanName: () => `send batch ${BROADCAST_BATCH_SUBJECT}`,
    handle: sendPage,
  });
  return () => consumer.stop();
}
