import { jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { EventEnvelope, incentivesContract, personnelEvents, STREAMS } from '@lifeline/contracts';
import { ack, retry, runConsumer, term, type Outcome, type ServiceContext } from '@lifeline/platform';
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

/** Personnel events the consumer has not read yet (the award endpoint answers `unavailable` while there are some). */
export async function completionsBacklog(ctx: ServiceContext): Promise<number> {
  const jsm = await jetstreamManager(ctx.nc);
  const info = await jsm.consumers.info(STREAMS.events.name, COMPLETIONS_CONSUMER).catch(() => undefined);
  return info ? info.num_pending : 1;
}

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
    return term('not JSON');
  }
  const envelope = EventEnvelope.safeParse(body);
  if (!envelope.success) return term('not an event envelope');
  const task = incentivesContract.CompletedTask.safeParse(envelope.data.data);
  if (!task.success) return term('event data is not a personnel task');
  const at = new Date(envelope.data.time);
  if (m.subject === personnelEvents.assigned.subject) {
    await awards.recordAssignment(task.data, at);
    return ack();
  }
  const completion = await awards.recordCompletion(task.data, envelope.data.id, at);
  if (!completion) return term(`task ${task.data.taskId} completed without an owner or hours`);
  const severity = await awards.severityOf(completion);
  if (severity) await awards.settle(completion, severity, completion.severity ? 'event' : 'incident');
  else if (m.info.deliveryCount >= settings.severityMaxDeliveries) await awards.settle(completion, 'IV', 'default');
  else return retry(settings.severityRetryMs);
  return ack();
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

/**
 * Consume until stopped: several events at once, but one task's events in stream order (its assignment before its
 * completion); appends to one participant's chain also queue up in the ledger store.
 */
export async function startCompletionsConsumer(ctx: ServiceContext, awards: Awards, settings: ConsumerSettings = DEFAULT_CONSUMER_SETTINGS): Promise<() => Promise<void>> {
  const consumer = runConsumer({
    nc: ctx.nc,
    log: ctx.log,
    stream: STREAMS.events.name,
    durable: COMPLETIONS_CONSUMER,
    filter: CONSUMED_SUBJECTS,
    ackWaitMs: 60_000,
    // Completions waiting for their incident's severity stay unacknowledged; leave room for a city-wide incident.
    maxAckPending: 10_000,
    concurrency: settings.concurrency,
    keyOf: taskKeyOf,
    handle: (m) => handle(awards, settings, m),
  });
  return () => consumer.stop();
}
