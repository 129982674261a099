import { setTimeout as sleep } from 'node:timers/promises';
import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { LifelineError, personnelContract, personnelEvents, STREAMS } from '@lifeline/contracts';
import { ack, decodeJson, runConsumer, term, type Outcome, type ServiceContext } from '@lifeline/platform';
import type { PersonnelConfig } from './config';
import { HELD_STATUSES } from './domain/transitions';
import type { Roster } from './roster';
import type { TaskDesk } from './tasks';

export const DRILL_CONSUMER = 'drill-responders';
/** Hours a simulated responder reports for a drill task. */
export const DRILL_HOURS = 2;
const MAX_IN_FLIGHT = 1000;

/** Outcomes that mean the task moved on (fallback, stand-down): nothing left for the simulated responder. */
const MOVED_ON = new Set(['forbidden', 'invalid_state', 'not_found']);

/**
 * Drill mode's simulated responders: every drill task's owner acknowledges after DRILL_ACK_DELAY_MS and
 * completes after DRILL_COMPLETE_DELAY_MS, through the task desk the endpoints use (so events are published).
 * The JetStream message is acknowledged only afterwards; a redelivery finds the task already done.
 */
export async function startDrillResponders(ctx: ServiceContext, desk: TaskDesk, roster: Roster, settings: PersonnelConfig): Promise<() => Promise<void>> {
  const respond = async (msg: JsMsg): Promise<Outcome> => {
    let envelope: { data?: unknown } | undefined;
    try {
      envelope = decodeJson(msg.data) as { data?: unknown };
    } catch {
      return term('task-assigned event is not JSON');
    }
    const assigned = personnelContract.Task.safeParse(envelope?.data);
    if (!assigned.success) return term('malformed task-assigned event');
    if (assigned.data.drill && assigned.data.ownerId) await actAsOwner(desk, assigned.data.taskId, assigned.data.ownerId, settings, () => msg.working(), await roster.drillBehaviourOf(assigned.data.ownerId));
    return ack();
  };

  const consumer = runConsumer({
    nc: ctx.nc,
    log: ctx.log,
    stream: STREAMS.events.name,
    durable: DRILL_CONSUMER,
    filter: personnelEvents.assigned.subject,
    deliverPolicy: DeliverPolicy.New,
    ackWaitMs: Math.max(30_000, 2 * (settings.DRILL_ACK_DELAY_MS + settings.DRILL_COMPLETE_DELAY_MS)),
    maxAckPending: MAX_IN_FLIGHT,
    // Each simulated responder mostly sleeps through its delays: as many at once as JetStream hands out.
    concurrency: MAX_IN_FLIGHT,
    handle: respond,
  });
  await consumer.ready;
  ctx.log.info({ consumer: DRILL_CONSUMER }, 'simulated drill responders listening');
  return () => consumer.stop();
}

/**
 * The simulated owner: acknowledge if still assigned to them, then complete; nothing if the task moved on.
 * The roster's `drillBehaviour` can make the person never acknowledge (`ignore`: the deadline passes and the task
 * falls back) or decline at once (`decline`).
 */
export async function actAsOwner(
  desk: TaskDesk,
  taskId: string,
  ownerId: string,
  settings: PersonnelConfig,
  keepAlive: () => void,
  behaviour: personnelContract.DrillBehaviour = 'acknowledge',
): Promise<void> {
  const current = await desk.find(taskId);
  if (!current || current.ownerId !== ownerId || !HELD_STATUSES.includes(current.status)) return;
  if (behaviour === 'ignore' && current.status === 'assigned') return;
  try {
    if (current.status === 'assigned') {
      keepAlive();
      await sleep(settings.DRILL_ACK_DELAY_MS);
      if (behaviour === 'decline') {
        await desk.decline(taskId, ownerId);
        return;
      }
      await desk.acknowledge(taskId, ownerId);
    }
    keepAlive();
    await sleep(settings.DRILL_COMPLETE_DELAY_MS);
    await desk.complete(taskId, ownerId, DRILL_HOURS);
  } catch (err) {
    if (err instanceof LifelineError && MOVED_ON.has(err.code)) return;
    throw err;
  }
}
