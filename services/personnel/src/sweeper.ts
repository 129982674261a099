import { setTimeout as sleep } from 'node:timers/promises';
import { LifelineError } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import type { PersonnelConfig } from './config';
import type { TaskDesk } from './tasks';

const BATCH = 200;
/** Overdue tasks handed over at once (each is a handful of store round trips). */
const PARALLEL = 8;
/** A transition not settled this long after it was stored is taken as interrupted by a crash and replayed. */
const SETTLE_GRACE_MS = 10_000;

/**
 * The acknowledgement-deadline sweeper, driven only by stored deadlines, so it survives restarts; safe with several
 * replicas, since each hand-over is a revision claimed by a unique insert (one replica wins, the others find the
 * task moved on). Every `ACK_SWEEP_INTERVAL_MS` it reads the small `ack_deadlines` collection; every
 * `RECOVERY_SWEEP_INTERVAL_MS` it also replays transitions a crash left unsettled and looks for overdue tasks
 * in the tasks themselves (full scans, hence rarer), so a lost deadline record cannot strand a task.
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
    for (const t of await desk.unsettled(now, SETTLE_GRACE_MS, BATCH)) if (running) await desk.settle(t);
    await handOver(await desk.overdueInTasks(new Date(now.getTime() - SETTLE_GRACE_MS), BATCH));
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
