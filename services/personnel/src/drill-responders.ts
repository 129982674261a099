import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { LifelineError, personnelContract, personnelEvents, STREAMS } from '@lifeline/contracts';
import { decodeJson, type ServiceContext } from '@lifeline/platform';
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
  const ackWaitMs = Math.max(30_000, 2 * (settings.DRILL_ACK_DELAY_MS + settings.DRILL_COMPLETE_DELAY_MS));
  const jsm = await jetstreamManager(ctx.nc);
  const exists = await jsm.consumers.info(STREAMS.events.name, DRILL_CONSUMER).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await jsm.consumers.add(STREAMS.events.name, {
      durable_name: DRILL_CONSUMER,
      filter_subject: personnelEvents.assigned.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: MAX_IN_FLIGHT,
    });
  }
  const consumer = await jetstream(ctx.nc).consumers.get(STREAMS.events.name, DRILL_CONSUMER);
  const messages = await consumer.consume({ max_messages: 100 });
  const inFlight = new Set<Promise<void>>();

  const respond = async (msg: JsMsg) => {
    const envelope = decodeJson(msg.data) as { data?: unknown };
    const assigned = personnelContract.Task.safeParse(envelope?.data);
    if (!assigned.success) {
      ctx.log.warn({ seq: msg.seq }, 'drill responder: malformed task-assigned event');
      msg.term();
      return;
    }
    if (assigned.data.drill && assigned.data.ownerId) await actAsOwner(desk, assigned.data.taskId, assigned.data.ownerId, settings, () => msg.working(), await roster.drillBehaviourOf(assigned.data.ownerId));
    msg.ack();
  };

  const loop = (async () => {
    for await (const msg of messages) {
      const work = respond(msg).catch((err: unknown) => {
        ctx.log.warn({ seq: msg.seq, code: err instanceof LifelineError ? err.code : 'internal', err: err instanceof LifelineError ? undefined : err }, 'drill responder failed; will retry');
        msg.nak(5_000);
      });
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    }
  })();

  ctx.log.info({ consumer: DRILL_CONSUMER }, 'simulated drill responders listening');
  return async () => {
    await messages.close();
    await loop;
    await Promise.allSettled([...inFlight]);
  };
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
