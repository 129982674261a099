/** JetStream → Temporal: personnel task events become `taskProgress` signals on the community workflow. */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { EventEnvelope, personnelContract, personnelEvents, STREAMS, workflowIds, type TaskSignal } from '@lifeline/contracts';
import { SpanKind } from '@opentelemetry/api';
import { inSpan, traceFrom, type Logger, type NatsConnection } from '@lifeline/platform';
import { taskProgressSignal } from './messages';

export const BRIDGE_CONSUMER = 'workflow-bridge';
export const BRIDGED_SUBJECTS = [personnelEvents.acknowledged.subject, personnelEvents.completed.subject];
/** How long a failed signal waits before JetStream redelivers it. */
export const RETRY_DELAY_MS = 5000;

export interface BridgedSignal {
  workflowId: string;
  signal: TaskSignal;
}

/** The signal an event stands for, or why it cannot become one (a poison message, never redelivered). */
export function taskSignalFromEvent(subject: string, body: unknown): BridgedSignal | { invalid: string } {
  const envelope = EventEnvelope.safeParse(body);
  if (!envelope.success) return { invalid: 'not an event envelope' };
  const task = personnelContract.Task.safeParse(envelope.data.data);
  if (!task.success) return { invalid: 'event data is not a personnel task' };
  const { taskId, incidentId, communityId, ownerId, hours } = task.data;
  if (!ownerId) return { invalid: `task ${taskId} has no owner` };
  const status = subject === personnelEvents.completed.subject ? 'done' : 'acknowledged';
  return { workflowId: workflowIds.community(incidentId, communityId), signal: { taskId, status, ownerId, ...(hours !== undefined ? { hours } : {}) } };
}

/** `incident-<id>` from `incident-<id>/community-<c>`. */
export const incidentWorkflowIdOf = (communityWorkflowId: string) => communityWorkflowId.split('/')[0] as string;

/** Create (or bring up to date) the durable consumer: explicit acks, only the events workflows wait for. */
export async function ensureBridgeConsumer(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = { durable_name: BRIDGE_CONSUMER, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subjects: BRIDGED_SUBJECTS, max_deliver: -1 };
  const exists = await jsm.consumers.info(STREAMS.events.name, BRIDGE_CONSUMER).then(
    () => true,
    () => false,
  );
  if (exists) await jsm.consumers.update(STREAMS.events.name, BRIDGE_CONSUMER, { filter_subjects: BRIDGED_SUBJECTS });
  else await jsm.consumers.add(STREAMS.events.name, config);
}

/**
 * Consume until stopped. A message is acknowledged only after Temporal accepted the signal; a workflow that is
 * gone (closed, never started) is acknowledged and logged, since its deadline logic already moved on; anything
 * else is negatively acknowledged with a delay and comes back.
 */
export async function runBridge({ nc, client, log }: { nc: NatsConnection; client: Client; log: Logger }): Promise<{ stop: () => Promise<void>; done: Promise<void> }> {
  await ensureBridgeConsumer(nc);
  const consumer = await jetstream(nc).consumers.get(STREAMS.events.name, BRIDGE_CONSUMER);
  const messages = await consumer.consume({ max_messages: 100 });

  /** Acknowledgements also reach the incident, where quorum waits count them; an incident that is gone needs none. */
  const signalIncident = async (bridged: BridgedSignal) => {
    try {
      await client.workflow.getHandle(incidentWorkflowIdOf(bridged.workflowId)).signal(taskProgressSignal, bridged.signal);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  };

  const handle = async (m: JsMsg) => {
    let body: unknown;
    try {
      body = m.json();
    } catch {
      body = undefined;
    }
    const bridged = taskSignalFromEvent(m.subject, body);
    if ('invalid' in bridged) {
      log.warn({ subject: m.subject, seq: m.seq, reason: bridged.invalid }, 'dropping an event that cannot become a signal');
      return m.term(bridged.invalid);
    }
    try {
      await inSpan(`signal ${taskProgressSignal.name}`, SpanKind.PRODUCER, traceFrom(m.headers), () =>
        client.workflow.getHandle(bridged.workflowId).signal(taskProgressSignal, bridged.signal),
      );
      if (bridged.signal.status === 'acknowledged') await signalIncident(bridged);
      m.ack();
      log.debug({ workflowId: bridged.workflowId, taskId: bridged.signal.taskId, status: bridged.signal.status }, 'signalled');
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        log.info({ workflowId: bridged.workflowId, taskId: bridged.signal.taskId }, 'no running workflow for this task; acknowledged');
        return m.ack();
      }
      log.warn({ err, workflowId: bridged.workflowId }, 'signal failed; will retry');
      m.nak(RETRY_DELAY_MS);
    }
  };

  const done = (async () => {
    for await (const m of messages) await handle(m);
  })();
  return {
    done,
    stop: async () => {
      await messages.close();
      await done;
    },
  };
}
