import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { EventEnvelope, incentivesContract, personnelEvents, STREAMS } from '@lifeline/contracts';
import { inSpan, traceFrom, type ServiceContext } from '@lifeline/platform';
import { SpanKind } from '@lifeline/platform/telemetry';
import type { Awards } from './awards';

/** The durable consumer of personnel task events that credits verified completions. */
export const COMPLETIONS_CONSUMER = 'incentives-completions';
export const CONSUMED_SUBJECTS = [personnelEvents.assigned.subject, personnelEvents.completed.subject];

export interface ConsumerSettings {
  /** How long a completion whose incident severity is not known yet waits before the next look. */
  severityRetryMs: number;
  /** After this many looks, the completion is paid at the rules' lowest severity (IV) rather than never. */
  severityMaxDeliveries: number;
  /** Events handled at once. */
  concurrency: number;
}

export const DEFAULT_CONSUMER_SETTINGS: ConsumerSettings = { severityRetryMs: 10_000, severityMaxDeliveries: 360, concurrency: 16 };

async function ensureConsumer(ctx: ServiceContext): Promise<void> {
  const jsm = await jetstreamManager(ctx.nc);
  const exists = await jsm.consumers.info(STREAMS.events.name, COMPLETIONS_CONSUMER).then(
    () => true,
    () => false,
  );
  if (exists) return;
  await jsm.consumers.add(STREAMS.events.name, {
    durable_name: COMPLETIONS_CONSUMER,
    filter_subjects: CONSUMED_SUBJECTS,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(60_000),
    max_deliver: -1,
    // Completions waiting for their incident's severity stay unacknowledged; leave room for a city-wide incident.
    max_ack_pending: 10_000,
  });
}

/** Personnel events the consumer has not read yet (the award endpoint answers `unavailable` while there are some). */
export async function completionsBacklog(ctx: ServiceContext): Promise<number> {
  const jsm = await jetstreamManager(ctx.nc);
  const info = await jsm.consumers.info(STREAMS.events.name, COMPLETIONS_CONSUMER).catch(() => undefined);
  return info ? info.num_pending : 1;
}

type Outcome = 'ack' | 'wait' | { term: string };

/**
 * One personnel event. A completion is recorded (once, by task id) and credited; the message is acknowledged
 * only after the ledger holds the entry. When nobody has named the incident's severity yet, the message comes
 * back later (the award step of the incident's workflow names it), and after `severityMaxDeliveries` looks the
 * work is paid at the lowest severity rather than never.
 */
async function handle(awards: Awards, settings: ConsumerSettings, m: JsMsg): Promise<Outcome> {
  let body: unknown;
  try {
    body = m.json();
  } catch {
    return { term: 'not JSON' };
  }
  const envelope = EventEnvelope.safeParse(body);
  if (!envelope.success) return { term: 'not an event envelope' };
  const task = incentivesContract.CompletedTask.safeParse(envelope.data.data);
  if (!task.success) return { term: 'event data is not a personnel task' };
  const at = new Date(envelope.data.time);
  if (m.subject === personnelEvents.assigned.subject) {
    await awards.recordAssignment(task.data, at);
    return 'ack';
  }
  const completion = await awards.recordCompletion(task.data, envelope.data.id, at);
  if (!completion) return { term: `task ${task.data.taskId} completed without an owner or hours` };
  const severity = await awards.severityOf(completion);
  if (severity) await awards.settle(completion, severity, completion.severity ? 'event' : 'incident');
  else if (m.info.deliveryCount >= settings.severityMaxDeliveries) await awards.settle(completion, 'IV', 'default');
  else return 'wait';
  return 'ack';
}

/** The task an event is about (its position in the stream when it names none), to keep one task's events in order. */
function taskKeyOf(m: JsMsg): string {
  try {
    const taskId = (m.json() as { data?: { taskId?: unknown } }).data?.taskId;
    return typeof taskId === 'string' ? taskId : `seq:${m.seq}`;
  } catch {
    return `seq:${m.seq}`;
  }
}

/** Consume until stopped; a failure is redelivered after a pause, a poison message is terminated and logged. */
export async function startCompletionsConsumer(ctx: ServiceContext, awards: Awards, settings: ConsumerSettings = DEFAULT_CONSUMER_SETTINGS): Promise<() => Promise<void>> {
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  const inFlight = new Set<Promise<void>>();
  const byTask = new Map<string, Promise<void>>();

  async function one(m: JsMsg): Promise<void> {
    try {
      const outcome = await inSpan(`consume ${m.subject}`, SpanKind.CONSUMER, traceFrom(m.headers), () => handle(awards, settings, m));
      if (outcome === 'ack') m.ack();
      else if (outcome === 'wait') m.nak(settings.severityRetryMs);
      else {
        ctx.log.error({ seq: m.seq, subject: m.subject, reason: outcome.term }, 'personnel event dropped');
        m.term(outcome.term);
      }
    } catch (err) {
      ctx.log.warn({ err, seq: m.seq, redelivery: m.info.deliveryCount }, 'personnel event failed; redelivering');
      m.nak(Math.min(30_000, 1000 * m.info.deliveryCount));
    }
  }

  async function run(): Promise<void> {
    while (!stopped) {
      try {
        await ensureConsumer(ctx);
        const consumer = await jetstream(ctx.nc).consumers.get(STREAMS.events.name, COMPLETIONS_CONSUMER);
        messages = await consumer.consume({ max_messages: settings.concurrency * 4 });
        ctx.log.info({ consumer: COMPLETIONS_CONSUMER }, 'crediting verified completions');
        // Several events at once, but one task's events in stream order (its assignment before its completion);
        // appends to one participant's chain also queue up in the ledger store.
        for await (const m of messages) {
          const key = taskKeyOf(m);
          const p: Promise<void> = (byTask.get(key) ?? Promise.resolve()).then(() => one(m));
          byTask.set(key, p);
          inFlight.add(p);
          void p.finally(() => {
            inFlight.delete(p);
            if (byTask.get(key) === p) byTask.delete(key);
          });
          if (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
        }
      } catch (err) {
        if (stopped) break;
        ctx.log.warn({ err: (err as Error).message }, 'completions consumer unavailable; retrying');
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
