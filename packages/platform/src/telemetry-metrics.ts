/**
 * Lifeline's operational metrics (OpenTelemetry metrics API). Every process serves them in Prometheus text at
 * `/metrics` (telemetry.ts; ports in the README's "Metrics"), and pushes them over OTLP where configured. Names,
 * units and attributes are the contract dashboards rely on; Prometheus spells each name with `_` for `.`, adds
 * `_total` to counters and `_bucket`/`_sum`/`_count` to histograms:
 *
 * | metric | type | unit | attributes | recorded by |
 * |---|---|---|---|---|
 * | `lifeline.incidents` | observable gauge | {incident} | `phase` | command-center (Temporal visibility counts of running incidents) |
 * | `lifeline.broadcast.messages` | counter | {message} | `outcome` (sent, failed, capped), `channel`, `drill` | notification, as each page's outcomes are recorded |
 * | `lifeline.broadcast.jobs.open` | observable gauge | {job} | — | notification (broadcast jobs not yet completed, from its store: the same on every replica) |
 * | `lifeline.broadcast.rate` | histogram | {message}/s | `drill` | every service publishing `notification.broadcast-completed`: one sample per finished job |
 * | `lifeline.supplies.reservation.duration` | histogram | ms | `outcome` (ok, error code) | the NATS endpoint runtime, for `lifeline.supplies.reserve` |
 * | `lifeline.dispatch.ack_time` | histogram | s | `role`, `drill` | the personnel process, from `task-assigned` to `task-acknowledged` |
 * | `lifeline.rpc.server.duration` | histogram | ms | `rpc.subject`, `outcome` | the NATS endpoint runtime, every endpoint (its count is the request rate) |
 * | `lifeline.http.server.duration` | histogram | ms | `http.request.method`, `http.route` (`unmatched` for a 404), `http.response.status_code` | every HTTP app (telemetry-http.ts), not `/metrics` itself |
 * | `lifeline.jetstream.consumer.pending` | observable gauge | {message} | `stream`, `consumer` | every process running a durable (runConsumer): messages not yet delivered |
 * | `lifeline.jetstream.consumer.ack_pending` | observable gauge | {message} | `stream`, `consumer` | same: delivered, not yet acknowledged |
 * | `lifeline.jetstream.consumer.redelivered` | observable gauge | {message} | `stream`, `consumer` | same: delivered more than once, not yet acknowledged |
 *
 * The consumer gauges read the durable's info from JetStream when metrics are collected (a scrape), not per message;
 * every replica running a durable reports the same figures (use `max by (consumer)`).
 */
import { metrics, type Attributes } from '@opentelemetry/api';

export const METRIC_NAMES = {
  incidents: 'lifeline.incidents',
  broadcastMessages: 'lifeline.broadcast.messages',
  broadcastRate: 'lifeline.broadcast.rate',
  reservationDuration: 'lifeline.supplies.reservation.duration',
  dispatchAckTime: 'lifeline.dispatch.ack_time',
  rpcDuration: 'lifeline.rpc.server.duration',
  httpDuration: 'lifeline.http.server.duration',
  broadcastJobsOpen: 'lifeline.broadcast.jobs.open',
  consumerPending: 'lifeline.jetstream.consumer.pending',
  consumerAckPending: 'lifeline.jetstream.consumer.ack_pending',
  consumerRedelivered: 'lifeline.jetstream.consumer.redelivered',
} as const;

export const INCIDENT_PHASES = ['warn', 'mobilize', 'respond', 'recover', 'review'] as const;
const RESERVE_SUBJECT = 'lifeline.supplies.reserve';

/** Instruments are created lazily so the global meter provider (startTelemetry) is in place first. */
let instruments: ReturnType<typeof createInstruments> | undefined;
function createInstruments() {
  const meter = metrics.getMeter('lifeline');
  return {
    broadcastMessages: meter.createCounter(METRIC_NAMES.broadcastMessages, { unit: '{message}', description: 'Broadcast messages settled, by outcome' }),
    broadcastRate: meter.createHistogram(METRIC_NAMES.broadcastRate, { unit: '{message}/s', description: 'Messages per second of each finished broadcast job' }),
    reservationDuration: meter.createHistogram(METRIC_NAMES.reservationDuration, { unit: 'ms', description: 'Time to answer a supplies reservation' }),
    // Acknowledgements take seconds to an hour (the default buckets are made for milliseconds).
    dispatchAckTime: meter.createHistogram(METRIC_NAMES.dispatchAckTime, {
      unit: 's',
      description: 'Time from a task owner being assigned to acknowledging',
      advice: { explicitBucketBoundaries: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600] },
    }),
    rpcDuration: meter.createHistogram(METRIC_NAMES.rpcDuration, { unit: 'ms', description: 'Time to answer a NATS service request' }),
    httpDuration: meter.createHistogram(METRIC_NAMES.httpDuration, { unit: 'ms', description: 'Time to answer an HTTP request' }),
  };
}
const m = () => (instruments ??= createInstruments());

/** Forget the instruments (tests that install a fresh meter provider). */
export function resetMetricInstruments(): void {
  instruments = undefined;
  lagGaugesRegistered = false;
  assignedAt.clear();
}

/** One answered NATS request (called by the endpoint runtime). `outcome` is `ok` or the error code. */
export function recordRequest(subject: string, ms: number, outcome: string): void {
  m().rpcDuration.record(ms, { 'rpc.subject': subject, outcome });
  if (subject === RESERVE_SUBJECT) m().reservationDuration.record(ms, { outcome });
}

/** One answered HTTP request (called by the tracing middleware). Unmatched paths share one route, so ids never become labels. */
export function recordHttpRequest(method: string, route: string | undefined, status: number, ms: number): void {
  m().httpDuration.record(ms, { 'http.request.method': method, 'http.route': route ?? 'unmatched', 'http.response.status_code': status });
}

/** Assignment times by task and owner, bounded (oldest dropped): acknowledgement time is measured in-process. */
const assignedAt = new Map<string, number>();
const MAX_TRACKED = 50_000;

interface TaskLike {
  taskId?: string;
  ownerId?: string;
  role?: string;
  drill?: boolean;
}
interface JobLike {
  sent?: number;
  elapsedSeconds?: number;
  drill?: boolean;
}

/**
 * Derive domain metrics from an event being published (called by EventPublisher): a finished broadcast gives its
 * throughput; a task's assignment and acknowledgement give the acknowledgement time (measured when both pass
 * through the same process — always for drill responders; for people acknowledging through another replica the
 * sample is skipped rather than guessed).
 */
export function recordEvent(type: string, data: unknown, now = Date.now()): void {
  if (type === 'notification.broadcast-completed') {
    const job = data as JobLike;
    const attrs: Attributes = { drill: job.drill === true };
    if (job.sent && job.elapsedSeconds && job.elapsedSeconds > 0) m().broadcastRate.record(job.sent / job.elapsedSeconds, attrs);
    return;
  }
  if (type !== 'personnel.task-assigned' && type !== 'personnel.task-acknowledged') return;
  const task = data as TaskLike;
  if (!task.taskId || !task.ownerId) return;
  const key = `${task.taskId}/${task.ownerId}`;
  if (type === 'personnel.task-assigned') {
    if (assignedAt.size >= MAX_TRACKED) assignedAt.delete(assignedAt.keys().next().value!);
    assignedAt.set(key, now);
    return;
  }
  const started = assignedAt.get(key);
  if (started === undefined) return;
  assignedAt.delete(key);
  m().dispatchAckTime.record((now - started) / 1000, { role: task.role ?? 'unknown', drill: task.drill === true });
}

/**
 * Report `lifeline.incidents{phase}` from a counting function (the command-center passes Temporal visibility
 * counts of running incident workflows per `LifelinePhase`). Evaluated at each metric collection.
 */
export function observeIncidentPhases(countRunning: (phase: string) => Promise<number>): void {
  const gauge = metrics.getMeter('lifeline').createObservableGauge(METRIC_NAMES.incidents, { unit: '{incident}', description: 'Running incidents by phase' });
  gauge.addCallback(async (result) => {
    const counts = await Promise.all(INCIDENT_PHASES.map(async (phase) => [phase, await countRunning(phase).catch(() => undefined)] as const));
    for (const [phase, n] of counts) if (n !== undefined) result.observe(n, { phase });
  });
}

/**
 * Count one broadcast page's outcomes as they are recorded (the notification sender calls it once per page it
 * transmitted): `lifeline.broadcast.messages{outcome, channel, drill}`, so its rate is the broadcast's throughput
 * while it runs, not only once it is finished.
 */
export function recordBroadcastOutcomes(outcomes: readonly { status: string; channel: string }[], drill: boolean): void {
  const counts = new Map<string, { outcome: string; channel: string; n: number }>();
  for (const o of outcomes) {
    const key = `${o.status}|${o.channel}`;
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { outcome: o.status, channel: o.channel, n: 1 });
  }
  for (const { outcome, channel, n } of counts.values()) m().broadcastMessages.add(n, { outcome, channel, drill });
}

/**
 * Report `lifeline.broadcast.jobs.open` from a counting function (the notification service counts its jobs not yet
 * completed). Evaluated at each metric collection; a failed count reports nothing rather than a wrong zero.
 */
export function observeOpenBroadcasts(countOpen: () => Promise<number>): void {
  const gauge = metrics.getMeter('lifeline').createObservableGauge(METRIC_NAMES.broadcastJobsOpen, { unit: '{job}', description: 'Broadcast jobs not yet completed' });
  gauge.addCallback(async (result) => {
    const n = await countOpen().catch(() => undefined);
    if (n !== undefined) result.observe(n);
  });
}

/** What the consumer gauges read from a durable's info (JetStream's `num_pending`, `num_ack_pending`, `num_redelivered`). */
export interface ConsumerLag {
  pending: number;
  ackPending: number;
  redelivered: number;
}

interface WatchedConsumer {
  stream: string;
  consumer: string;
  read: () => Promise<ConsumerLag>;
}

const watched = new Set<WatchedConsumer>();
let lagGaugesRegistered = false;
/** A collection never waits longer than this for a durable's info (Prometheus times a scrape out after 10 s). */
const LAG_READ_TIMEOUT_MS = 2_000;

function registerLagGauges(): void {
  if (lagGaugesRegistered) return;
  lagGaugesRegistered = true;
  const meter = metrics.getMeter('lifeline');
  const pending = meter.createObservableGauge(METRIC_NAMES.consumerPending, { unit: '{message}', description: 'Messages of the durable consumer’s stream and filter not yet delivered' });
  const ackPending = meter.createObservableGauge(METRIC_NAMES.consumerAckPending, { unit: '{message}', description: 'Messages delivered to the durable consumer and not yet acknowledged' });
  const redelivered = meter.createObservableGauge(METRIC_NAMES.consumerRedelivered, { unit: '{message}', description: 'Messages delivered more than once and not yet acknowledged' });
  meter.addBatchObservableCallback(
    async (result) => {
      await Promise.all(
        [...watched].map(async (w) => {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), LAG_READ_TIMEOUT_MS)));
          const lag = await Promise.race([w.read().catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
          if (!lag) return;
          const attrs = { stream: w.stream, consumer: w.consumer };
          result.observe(pending, lag.pending, attrs);
          result.observe(ackPending, lag.ackPending, attrs);
          result.observe(redelivered, lag.redelivered, attrs);
        }),
      );
    },
    [pending, ackPending, redelivered],
  );
}

/**
 * Report a durable consumer's lag (`lifeline.jetstream.consumer.*{stream, consumer}`) while it runs; `read` is asked
 * at each metric collection. Returns the function that stops reporting it (runConsumer calls it on stop).
 */
export function watchConsumerLag(stream: string, consumer: string, read: () => Promise<ConsumerLag>): () => void {
  registerLagGauges();
  const entry: WatchedConsumer = { stream, consumer, read };
  watched.add(entry);
  return () => {
    watched.delete(entry);
  };
}
