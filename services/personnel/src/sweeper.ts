import { setTimeout as sleep } from 'node:timers/promises';
import { LifelineError } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import type { PersonnelConfig } from './config';
import type { TaskDesk } from './tasks';

const BATCH = 200;
/** A transition not settled this long after it was stored is taken as interrupted by a crash and replayed. */
const SETTLE_GRACE_MS = 10_000;

/**
 * The acknowledgement-deadline sweeper: driven only by stored deadlines (`ackDueAt`), so it survives restarts,
 * and safe with several replicas, since each hand-over is a revision claimed by a unique insert (one replica
 * wins, the others find the task moved on). It also replays the effects of transitions a crash interrupted.
 */
export function startSweeper(ctx: ServiceContext, desk: TaskDesk, settings: PersonnelConfig): () => Promise<void> {
  let running = true;
  const abort = new AbortController();
  const sweepOnce = async () => {
    const now = new Date();
    for (const taskId of await desk.overdue(now, BATCH)) {
      const moved = await desk.timeOut(taskId).catch((err: unknown) => {
        ctx.log.warn({ taskId, code: err instanceof LifelineError ? err.code : 'internal' }, 'deadline sweep: hand-over failed; next sweep retries');
      });
      if (moved) ctx.log.info({ taskId, ownerId: moved.ownerId ?? null, status: moved.status }, 'acknowledgement deadline passed; task handed over');
    }
    for (const t of await desk.unsettled(now, SETTLE_GRACE_MS, BATCH)) await desk.settle(t);
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
  ctx.log.info({ intervalMs: settings.ACK_SWEEP_INTERVAL_MS }, 'acknowledgement deadline sweeper running');
  return async () => {
    running = false;
    abort.abort();
    await loop;
  };
}
