import type { Connection } from '@temporalio/client';
import { SERVICES, TASK_QUEUE } from '@lifeline/contracts';
import type { StatusAnswer } from '@lifeline/contracts/http/command-center';
import type { NatsConnection } from '@lifeline/platform';

type Part = StatusAnswer['parts'][number];

/** A worker that has not polled the incident task queue for this long counts as down (Temporal long-polls for ~60 s). */
export const WORKER_POLL_WINDOW_MS = 90_000;
const PING_TIMEOUT_MS = 1500;

export interface StatusDeps {
  nc: NatsConnection;
  temporal: Connection;
  namespace: string;
  /** The command-center's own dependencies (store, nats, temporal), as `/v1/health` reports them. */
  health: () => Promise<Record<string, boolean>>;
  now?: () => Date;
}

const reason = (err: unknown) => {
  const text = err instanceof Error ? err.message : String(err);
  return /no responders|503/i.test(text) ? 'no responders' : /timeout/i.test(text) ? 'no answer in time' : text.slice(0, 200);
};

/** One service answers `$SRV.PING.<name>` (NATS services framework) with its own name. */
async function pingService(nc: NatsConnection, name: string): Promise<Part> {
  try {
    const reply = await nc.request(`$SRV.PING.${name}`, undefined, { timeout: PING_TIMEOUT_MS });
    const body = JSON.parse(new TextDecoder().decode(reply.data)) as { name?: string; version?: string; id?: string };
    if (body.name !== name) return { name, kind: 'service', up: false, detail: `answered as "${String(body.name)}"` };
    return { name, kind: 'service', up: true, ...(body.version ? { version: body.version } : {}), ...(body.id ? { detail: `instance ${body.id}` } : {}) };
  } catch (err) {
    return { name, kind: 'service', up: false, detail: reason(err) };
  }
}

/** Some worker polled the incident task queue within the window. */
async function workerPart(deps: StatusDeps, now: Date): Promise<Part> {
  try {
    const { pollers } = await deps.temporal.workflowService.describeTaskQueue({ namespace: deps.namespace, taskQueue: { name: TASK_QUEUE }, taskQueueType: 1 });
    const recent = (pollers ?? []).filter((p) => now.getTime() - Number(p.lastAccessTime?.seconds ?? 0) * 1000 <= WORKER_POLL_WINDOW_MS);
    return recent.length > 0
      ? { name: 'worker', kind: 'worker', up: true, detail: `${recent.length} poller(s) on ${TASK_QUEUE}` }
      : { name: 'worker', kind: 'worker', up: false, detail: `no poller on ${TASK_QUEUE} in the last ${WORKER_POLL_WINDOW_MS / 1000} s` };
  } catch (err) {
    return { name: 'worker', kind: 'worker', up: false, detail: reason(err) };
  }
}

/** What is up and what is down, checked concurrently; `degraded` when any part is down. */
export async function systemStatus(deps: StatusDeps): Promise<StatusAnswer> {
  const now = deps.now?.() ?? new Date();
  const [own, services, worker] = await Promise.all([deps.health(), Promise.all(SERVICES.map((s) => pingService(deps.nc, s))), workerPart(deps, now)]);
  const infrastructure: Part[] = Object.entries(own).map(([name, up]) => ({ name, kind: 'infrastructure', up }));
  const parts = [...infrastructure, ...services, worker];
  return { status: parts.every((p) => p.up) ? 'ok' : 'degraded', checkedAt: now.toISOString(), parts };
}
