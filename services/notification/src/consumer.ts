import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { BROADCAST_BATCH_SUBJECT, LifelineError, notificationContract, STREAMS } from '@lifeline/contracts';
import { inSpan, traceFrom, type ServiceContext } from '@lifeline/platform';
import { SpanKind } from '@lifeline/platform/telemetry';
import type { pageSender } from './sender';

/** The durable JetStream consumer that sends broadcast pages; shared by every replica (work is split between them). */
export const BROADCAST_CONSUMER = 'broadcast-sender';

export interface ConsumerSettings {
  concurrency: number;
  ackWaitSeconds: number;
}

async function ensureConsumer(ctx: ServiceContext, settings: ConsumerSettings): Promise<void> {
  const jsm = await jetstreamManager(ctx.nc);
  const exists = await jsm.consumers.info(STREAMS.work.name, BROADCAST_CONSUMER).then(
    () => true,
    () => false,
  );
  if (exists) return;
  await jsm.consumers.add(STREAMS.work.name, {
    durable_name: BROADCAST_CONSUMER,
    filter_subject: BROADCAST_BATCH_SUBJECT,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(settings.ackWaitSeconds * 1000),
    max_ack_pending: 1000,
  });
}

/**
 * Consume broadcast pages: at most `concurrency` pages at once; each is acked only after it is counted into the job,
 * heartbeats (`working`) while the gateway answers, and is redelivered after a failure (a store outage included).
 */
export async function startBroadcastConsumer(ctx: ServiceContext, sender: ReturnType<typeof pageSender>, settings: ConsumerSettings): Promise<() => Promise<void>> {
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  const inFlight = new Set<Promise<void>>();

  async function handle(m: JsMsg): Promise<void> {
    const parsed = notificationContract.BroadcastWork.safeParse(m.json());
    if (!parsed.success) {
      ctx.log.error({ seq: m.seq }, 'malformed broadcast work item dropped');
      m.term('malformed work item');
      return;
    }
    if (!('v' in parsed.data)) {
      ctx.log.error({ seq: m.seq, jobId: parsed.data.jobId, batch: parsed.data.batch }, 'a v1 broadcast batch (queued before pages) is not sent; repeat the broadcast request to send its job');
      m.term('v1 batch');
      return;
    }
    const work = parsed.data;
    const heartbeat = setInterval(() => m.working(), (settings.ackWaitSeconds * 1000) / 3);
    try {
      await inSpan(`send batch ${BROADCAST_BATCH_SUBJECT}`, SpanKind.CONSUMER, traceFrom(m.headers), () => sender.send(work));
      m.ack();
    } catch (err) {
      if (err instanceof LifelineError && err.code === 'not_found') {
        ctx.log.error({ jobId: work.jobId, pageId: work.pageId }, err.message);
        m.term(err.message);
      } else {
        ctx.log.error({ err: `${(err as Error).name}: ${(err as Error).message}`, jobId: work.jobId, pageId: work.pageId, redelivery: m.info.deliveryCount }, 'page failed; redelivering');
        m.nak(Math.min(10_000, 500 * m.info.deliveryCount));
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function run(): Promise<void> {
    while (!stopped) {
      try {
        await ensureConsumer(ctx, settings);
        const consumer = await jetstream(ctx.nc).consumers.get(STREAMS.work.name, BROADCAST_CONSUMER);
        messages = await consumer.consume({ max_messages: settings.concurrency * 2 });
        ctx.log.info({ consumer: BROADCAST_CONSUMER, concurrency: settings.concurrency }, 'broadcast sender consuming');
        for await (const m of messages) {
          const p: Promise<void> = handle(m).finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
        }
      } catch (err) {
        if (stopped) break;
        ctx.log.warn({ err: (err as Error).message }, 'broadcast consumer unavailable; retrying');
        await sleep(2000);
      }
    }
  }

  const loop = run();
  return async () => {
    stopped = true;
    messages?.stop();
    await Promise.allSettled([...inFlight]);
    await loop;
  };
}
