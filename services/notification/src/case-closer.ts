import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { notificationEvents, personnelContract, personnelEvents, STREAMS } from '@lifeline/contracts';
import { ack, decodeJson, runConsumer, term, type Outcome, type ServiceContext } from '@lifeline/platform';
import type { directMessages } from './direct';
import { caseAnswer } from './domain/replies';
import { caseModel } from './model/case';
import { residentModel } from './model/resident';
import { toCase } from './replies';

/** The durable consumer that closes cases when their grid worker's task completes. */
export const CASE_CONSUMER = 'notification-case-closer';

/**
 * On `task-completed` for a case's task (the task's stepId is the case id): tell the resident, in their language,
 * that it is handled (a message keyed `${caseId}:answer`, sent once), close the case and publish `case-closed`.
 * The JetStream message is acked only afterwards, so a crash in between redelivers and finishes the same steps.
 */
export async function startCaseCloser(ctx: ServiceContext, direct: ReturnType<typeof directMessages>): Promise<() => Promise<void>> {
  const Cases = caseModel(ctx.db);
  const Residents = residentModel(ctx.db);

  async function close(m: JsMsg): Promise<Outcome> {
    let body: unknown;
    try {
      body = decodeJson(m.data);
    } catch {
      return term('task-completed event is not JSON');
    }
    const task = personnelContract.Task.safeParse((body as { data?: unknown })?.data);
    if (!task.success) return term('malformed task-completed event');
    if (!task.data.stepId.startsWith('case-')) return ack();
    const c = await Cases.findById(task.data.stepId).lean();
    if (!c || c.status === 'closed') return ack();
    const resident = await Residents.findById(c.residentId, { phone: 1, language: 1 }).lean();
    let answerMessageId: string | undefined;
    if (resident) {
      const answer = await direct.send(
        { idempotencyKey: `${c._id}:answer`, incidentId: c.incidentId, recipientId: c.residentId, phone: ctx.vault.open(resident.phone), channel: 'sms', message: caseAnswer(c.category), drill: c.drill },
        { language: resident.language, purpose: 'case-answer' },
      );
      answerMessageId = answer.messageId;
    }
    const closedAt = new Date();
    await Cases.updateOne({ _id: c._id }, { $set: { status: 'closed', taskId: task.data.taskId, closedAt, ...(answerMessageId ? { answerMessageId } : {}) } });
    const closed = (await Cases.findById(c._id).lean()) ?? { ...c, status: 'closed' as const, closedAt };
    await ctx.events.publish(notificationEvents.caseClosed, `${c._id}:closed`, toCase(closed), c.incidentId);
    ctx.log.info({ caseId: c._id, taskId: task.data.taskId, incidentId: c.incidentId, residentId: c.residentId }, 'case closed; resident told');
    return ack();
  }

  // One case at a time, as they complete: closing is a few store writes and one message.
  const consumer = runConsumer({
    nc: ctx.nc,
    log: ctx.log,
    stream: STREAMS.events.name,
    durable: CASE_CONSUMER,
    filter: personnelEvents.completed.subject,
    deliverPolicy: DeliverPolicy.New,
    ackWaitMs: 30_000,
    maxAckPending: 200,
    concurrency: 1,
    handle: close,
  });
  return () => consumer.stop();
}
