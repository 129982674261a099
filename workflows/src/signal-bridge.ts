/** JetStream → Temporal: personnel task events become `taskProgress` signals on the community workflow. */
import type { JsMsg } from '@nats-io/jetstream';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { EventEnvelope, personnelContract, personnelEvents, STREAMS, workflowIds, type TaskSignal } from '@lifeline/contracts';
import { context, SpanKind } from '@opentelemetry/api';
import { ack, inSpan, runConsumer, term, type ConsumerDeclaration, type Logger, type NatsConnection, type Outcome } from '@lifeline/platform';
import { taskProgressSignal } from './messages';

export const BRIDGE_CONSUMER = 'workflow-bridge';
export const BRIDGED_SUBJECTS = [personnelEvents.acknowledged.subject, personnelEvents.completed.subject];

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

const bridgeConsumer = (nc: NatsConnection, log: Logger) =>
  ({ nc, log, stream: STREAMS.events.name, durable: BRIDGE_CONSUMER, filter: BRIDGED_SUBJECTS, ackWaitMs: 30_000 }) satisfies ConsumerDeclaration;

/**
 * Consume until stopped, one event at a time in stream order. A message is acknowledged only after Temporal
 * accepted the signal; a workflow that is gone (closed, never started) is acknowledged and logged, since its
 * deadline logic already moved on; anything else is retried with the platform's backoff and comes back.
 */
export async function runBridge({ nc, client, log }: { nc: NatsConnection; client: Client; log: Logger }): Promise<{ stop: () => Promise<void>; done: Promise<void> }> {
  /** Acknowledgements also reach the incident, where quorum waits count them; an incident that is gone needs none. */
  const signalIncident = async (bridged: BridgedSignal) => {
    try {
      await client.workflow.getHandle(incidentWorkflowIdOf(bridged.workflowId)).signal(taskProgressSignal, bridged.signal);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  };

  const handle = async (m: JsMsg): Promise<Outcome> => {
    let body: unknown;
    try {
      body = m.json();
    } catch {
      body = undefined;
    }
    const bridged = taskSignalFromEvent(m.subject, body);
    if ('invalid' in bridged) return term(bridged.invalid);
    try {
      await inSpan(`signal ${taskProgressSignal.name}`, SpanKind.PRODUCER, context.active(), () => client.workflow.getHandle(bridged.workflowId).signal(taskProgressSignal, bridged.signal));
      if (bridged.signal.status === 'acknowledged') await signalIncident(bridged);
      log.debug({ workflowId: bridged.workflowId, taskId: bridged.signal.taskId, status: bridged.signal.status }, 'signalled');
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      log.info({ workflowId: bridged.workflowId, taskId: bridged.signal.taskId }, 'no running workflow for this task; acknowledged');
    }
    return ack();
  };

  const consumer = runConsumer({ ...bridgeConsumer(nc, log), concurrency: 1, handle });
  await consumer.ready;
  return { done: consumer.done, stop: () => consumer.stop() };
}
