/**
 * Lifeline's operational metrics (OpenTelemetry metrics API; exported over OTLP with the traces, to Prometheus in
 * the compose/k8s topologies). Names, units and attributes are the contract dashboards rely on:
 *
 * | metric | type | unit | attributes | recorded by |
 * |---|---|---|---|---|
 * | `lifeline.incidents` | observable gauge | {incident} | `phase` | command-center (Temporal visibility counts of running incidents) |
 * | `lifeline.broadcast.messages` | counter | {message} | `outcome` (sent, failed), `drill` | every service publishing `notification.broadcast-completed` |
 * | `lifeline.broadcast.rate` | histogram | {message}/s | `drill` | same: one sample per finished broadcast job |
 * | `lifeline.supplies.reservation.duration` | histogram | ms | `outcome` (ok, error code) | the NATS endpoint runtime, for `lifeline.supplies.reserve` |
 * | `lifeline.dispatch.ack_time` | histogram | s | `role`, `drill` | the personnel process, from `task-assigned` to `task-acknowledged` |
 * | `lifeline.rpc.server.duration` | histogram | ms | `rpc.subject`, `outcome` | the NATS endpoint runtime, every endpoint |
 */
import { metrics, type Attributes } from '@opentelemetry/api';

export const METRIC_NAMES = {
  incidents: 'lifeline.incidents',
  broadcastMessages: 'lifeline.broadcast.messages',
  broadcastRate: 'lifeline.broadcast.rate',
  reservationDuration: 'lifeline.supplies.reservation.duration',
  dispatchAckTime: 'lifeline.dispatch.ack_time',
  rpcDuration: 'lifeline.rpc.server.duration',
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
    dispatchAckTime: meter.createHistogram(METRIC_NAMES.dispatchAckTime, { unit: 's', description: 'Time from a task owner being assigned to acknowledging' }),
    rpcDuration: meter.createHistogram(METRIC_NAMES.rpcDuration, { unit: 'ms', description: 'Time to answer a NATS service request' }),
  };
}
const m = () => (instruments ??= createInstruments());

/** Forget the instruments (tests that install a fresh meter provider). */
export function resetMetricInstruments(): void {
  instruments = undefined;
  assignedAt.clear();
}

/** One answered NATS request (called by the endpoint runtime). `outcome` is `ok` or the error code. */
export function recordRequest(subject: string, ms: number, outcome: string): void {
  m().rpcDuration.record(ms, { 'rpc.subject': subject, outcome });
  if (subject === RESERVE_SUBJECT) m().reservationDuration.record(ms, { outcome });
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
  failed?: number;
  elapsedSeconds?: number;
  drill?: boolean;
}

/**
 * Derive domain metrics from an event being published (called by EventPublisher): finished broadcasts give
 * throughput; a task's assignment and acknowledgement give the acknowledgement time (measured when both pass
 * through the same process — always for drill responders; for people acknowledging through another replica the
 * sample is skipped rather than guessed).
 */
export function recordEvent(type: string, data: unknown, now = Date.now()): void {
  if (type === 'notification.broadcast-completed') {
    const job = data as JobLike;
    const attrs: Attributes = { drill: job.drill === true };
    if (job.sent) m().broadcastMessages.add(job.sent, { ...attrs, outcome: 'sent' });
    if (job.failed) m().broadcastMessages.add(job.failed, { ...attrs, outcome: 'failed' });
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
