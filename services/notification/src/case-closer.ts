import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { notificationEvents, personnelContract, personnelEvents, STREAMS } from '@lifeline/contracts';
import { decodeJson, type ServiceContext } from '@lifeline/platform';
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
  let stopped = false;
  let messages: ConsumerMessages | undefined;

  async function close(m: JsMsg): Promise<void> {
    const task = personnelContract.Task.safeParse((decodeJson(m.data) as { data?: unknown })?.data);
    if (!task.success) {
      m.term('malformed task-completed event');
      return;
    }
    if (!task.data.stepId.startsWith('case-')) return m.ack();
    const c = await Cases.findById(task.data.stepId).lean();
    if (!c || c.status === 'closed') return m.ack();
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
    m.ack();
  }

  async function run(): Promise<void> {
    while (!stopped) {
      try {
        const jsm = await jetstreamManager(ctx.nc);
        const exists = await jsm.consumers.info(STREAMS.events.name, CASE_CONSUMER).then(
          () => true,
          () => false,
        );
        if (!exists) {
          await jsm.consumers.add(STREAMS.events.name, {
            durable_name: CASE_CONSUMER,
            filter_subject: personnelEvents.completed.subject,
            ack_policy: AckPolicy.Explicit,
            deliver_policy: DeliverPolicy.New,
            ack_wait: nanos(30_000),
            max_ack_pending: 200,
          });
        }
        const consumer = await jetstream(ctx.nc).consumers.get(STREAMS.events.name, CASE_CONSUMER);
        messages = await consumer.consume({ max_messages: 20 });
        for await (const m of messages) {
          await close(m).catch((err: unknown) => {
            ctx.log.warn({ err: (err as Error).message, seq: m.seq }, 'case close failed; redelivering');
            m.nak(2_000);
          });
        }
      } catch (err) {
        if (stopped) break;
        ctx.log.warn({ err: (err as Error).message }, 'case closer unavailable; retrying');
        await sleep(2000);
      }
    }
  }

  const loop = run();
  return async () => {
    stopped = true;
    messages?.stop();
    await loop;
  };
}
