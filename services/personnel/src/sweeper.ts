import { setTimeout as sleep } from 'node:timers/promises';
import { LifelineError } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import type { PersonnelConfig } from './config';
import type { TaskDesk } from './tasks';

const BATCH = 200;
/** Overdue tasks handed over at once (each is a handful of store round trips). */
const PARALLEL = 8;
/** A change whose outbox is still owed this long after it was written is taken as interrupted by a crash. */
export const SETTLE_GRACE_MS = 10_000;

/**
 * The recovery pass: changes a crash interrupted between the task write and its effects are carried out and
 * cleared, and whatever the previous version's revision log left is settled. Exported for tests, which pass a
 * later `now` instead of waiting out the grace.
 */
export async function recoverOnce(ctx: ServiceContext, desk: TaskDesk, now: Date, running: () => boolean = () => true): Promise<void> {
  for (const doc of await desk.owed(now, SETTLE_GRACE_MS, BATCH)) {
    if (!running()) return;
    await desk.settle(doc).catch((err: unknown) => ctx.log.warn({ taskId: doc._id, err }, 'recovery: settling a task change failed; next pass retries'));
  }
  const legacy = await desk.settleLegacy(BATCH);
  if (legacy > 0) ctx.log.info({ settled: legacy }, 'recovery: settled what the previous version left');
}

/**
 * The acknowledgement-deadline sweeper, driven only by deadlines stored on the tasks, so it survives restarts; safe
 * with several replicas, since each hand-over is a change guarded by the task's revision (one replica wins, the
 * others find the task moved on). Every `ACK_SWEEP_INTERVAL_MS` it reads the tasks awaiting acknowledgement past
 * their deadline; every `RECOVERY_SWEEP_INTERVAL_MS` (and at start) it runs the recovery pass.
 */
export function startSweeper(ctx: ServiceContext, desk: TaskDesk, settings: PersonnelConfig): () => Promise<void> {
  let running = true;
  let lastRecovery = 0;
  const abort = new AbortController();
  const handOverOne = async (taskId: string) => {
    const moved = await desk.timeOut(taskId).catch((err: unknown) => {
      ctx.log.warn({ taskId, code: err instanceof LifelineError ? err.code : 'internal' }, 'deadline sweep: hand-over failed; next sweep retries');
    });
    if (moved) ctx.log.debug({ taskId, ownerId: moved.ownerId ?? null, status: moved.status }, 'deadline sweep: task checked');
  };
  const handOver = async (taskIds: readonly string[]) => {
    for (let i = 0; i < taskIds.length && running; i += PARALLEL) await Promise.all(taskIds.slice(i, i + PARALLEL).map(handOverOne));
  };
  const sweepOnce = async () => {
    const now = new Date();
    await handOver(await desk.overdue(now, BATCH));
    if (now.getTime() - lastRecovery < settings.RECOVERY_SWEEP_INTERVAL_MS) return;
    lastRecovery = now.getTime();
    await recoverOnce(ctx, desk, now, () => running);
  };
  const loop = (async () => {
    while (running) {
      try {
        await sweepOnce();
      } catch (err) {
        ctx.log.warn({ err }, 'deadline sweep failed; retrying');
      }
      await sleep(settings.ACK_SWEEP_INTERVAL_MS, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  })();
  ctx.log.info({ intervalMs: settings.ACK_SWEEP_INTERVAL_MS, recoveryMs: settings.RECOVERY_SWEEP_INTERVAL_MS }, 'acknowledgement deadline sweeper running');
  return async () => {
    running = false;
    abort.abort();
    await loop;
  };
}
