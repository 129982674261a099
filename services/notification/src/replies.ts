import type { z } from 'zod';
import { LifelineError, notificationEvents, personnel, type notificationContract } from '@lifeline/contracts';
import { call, isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { idFromKey } from '@lifeline/platform/ids';
import { caseTask, replyDisposition } from './domain/replies';
import { caseModel, type CaseDoc } from './model/case';
import { jobModel } from './model/job';
import { replyModel, type ReplyDoc } from './model/reply';
import { residentModel } from './model/resident';

type ReplyRequest = z.infer<typeof notificationContract.ReplyRequest>;
type ReplyResult = z.infer<typeof notificationContract.ReplyResult>;
type Case = notificationContract.Case;

const DISPATCH_TIMEOUT_MS = 15_000;

/** A case id derived from the reply's key (so a retried reply opens the same case); it is also the task's stepId. */
export const caseIdOf = (incidentId: string, replyKey: string) => idFromKey('case', [incidentId, replyKey], 20);

export const toCase = (c: CaseDoc): Case => ({
  caseId: c._id,
  incidentId: c.incidentId,
  residentId: c.residentId,
  communityId: c.communityId,
  gridId: c.gridId,
  category: c.category as Case['category'],
  status: c.status,
  ...(c.taskId ? { taskId: c.taskId } : {}),
  openedAt: c.openedAt.toISOString(),
  ...(c.closedAt ? { closedAt: c.closedAt.toISOString() } : {}),
  ...(c.answerMessageId ? { answerMessageId: c.answerMessageId } : {}),
});

/**
 * Inbound replies. A reply is recorded once per key (free text sealed) and published as `reply-received`
 * (pseudonymous, no text). "Need help" opens a case for the resident's grid and dispatches a task to a grid worker
 * through personnel; every step is keyed, so a retried reply continues where the first stopped.
 */
export function replies(ctx: ServiceContext) {
  const Replies = replyModel(ctx.db);
  const Cases = caseModel(ctx.db);
  const Residents = residentModel(ctx.db);
  const Jobs = jobModel(ctx.db);

  async function recordOnce(doc: ReplyDoc): Promise<ReplyDoc> {
    try {
      await Replies.collection.insertOne(doc as never);
      return doc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const first = await Replies.findOne({ idempotencyKey: doc.idempotencyKey }).lean();
      if (!first) throw err;
      return first;
    }
  }

  async function openCase(reply: ReplyDoc, buildingId: string, severity: string, drill: boolean): Promise<CaseDoc> {
    const doc: CaseDoc = {
      _id: reply.caseId!,
      incidentId: reply.incidentId,
      residentId: reply.residentId,
      communityId: reply.communityId,
      gridId: reply.gridId,
      buildingId,
      category: reply.category ?? 'other',
      severity,
      drill,
      replyId: reply._id,
      status: 'open',
      openedAt: new Date(),
    };
    try {
      await Cases.collection.insertOne(doc as never);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    return (await Cases.findById(doc._id).lean()) ?? doc;
  }

  /** The grid worker's task; the case is marked dispatched unless the task already completed and closed it. */
  async function dispatch(c: CaseDoc): Promise<CaseDoc> {
    if (c.taskId) return c;
    const task = await call(
      ctx.nc,
      personnel.dispatch,
      {
        idempotencyKey: `${c._id}:dispatch`,
        incidentId: c.incidentId,
        communityId: c.communityId,
        stepId: c._id,
        role: 'grid-worker',
        task: caseTask(c),
        severity: c.severity as 'I' | 'II' | 'III' | 'IV',
        drill: c.drill,
      },
      { timeoutMs: DISPATCH_TIMEOUT_MS },
    );
    await Cases.updateOne({ _id: c._id, status: 'open' }, { $set: { status: 'dispatched', taskId: task.taskId } });
    await Cases.updateOne({ _id: c._id, taskId: { $exists: false } }, { $set: { taskId: task.taskId } });
    const now = (await Cases.findById(c._id).lean()) ?? c;
    await ctx.events.publish(notificationEvents.caseOpened, `${c._id}:opened`, toCase(now), c.incidentId);
    return now;
  }

  return {
    async reply(req: ReplyRequest): Promise<ReplyResult> {
      const resident = await Residents.findById(req.residentId, { communityId: 1, gridId: 1, buildingId: 1, vulnerable: 1 }).lean();
      if (!resident) throw new LifelineError('not_found', `no resident ${req.residentId}`, [{ path: 'residentId', message: 'unknown resident' }]);
      const job = await Jobs.findOne({ incidentId: req.incidentId, communityId: resident.communityId }, { severity: 1, drill: 1 }).lean();
      if (!job) throw new LifelineError('not_found', `incident ${req.incidentId} has sent nothing to community ${resident.communityId}`, [{ path: 'incidentId', message: 'no broadcast of this incident reached the resident’s community' }]);
      const disposition = replyDisposition(req.kind, req.category);
      const reply = await recordOnce({
        _id: idFromKey('reply', req.idempotencyKey, 20),
        idempotencyKey: req.idempotencyKey,
        incidentId: req.incidentId,
        residentId: req.residentId,
        communityId: resident.communityId,
        gridId: resident.gridId,
        kind: req.kind,
        ...(disposition.category ? { category: disposition.category } : {}),
        ...(req.text ? { text: ctx.vault.seal(req.text) } : {}),
        channel: req.channel,
        vulnerable: resident.vulnerable,
        ...(disposition.opensCase ? { caseId: caseIdOf(req.incidentId, req.idempotencyKey) } : {}),
        createdAt: new Date(),
      });
      await ctx.events.publish(
        notificationEvents.replyReceived,
        `${reply._id}:received`,
        {
          replyId: reply._id,
          incidentId: reply.incidentId,
          residentId: reply.residentId,
          communityId: reply.communityId,
          gridId: reply.gridId,
          kind: reply.kind,
          ...(reply.category ? { category: reply.category as Case['category'] } : {}),
          vulnerable: reply.vulnerable,
        },
        reply.incidentId,
      );
      ctx.log.info({ replyId: reply._id, incidentId: reply.incidentId, residentId: reply.residentId, kind: reply.kind, category: reply.category }, 'reply received');
      if (!reply.caseId) return { replyId: reply._id, kind: reply.kind };
      const opened = await openCase(reply, resident.buildingId, job.severity, job.drill);
      await dispatch(opened);
      return { replyId: reply._id, kind: reply.kind, caseId: opened._id };
    },

    async find(caseId: string): Promise<Case> {
      const c = await Cases.findById(caseId).lean();
      if (!c) throw new LifelineError('not_found', `no case ${caseId}`);
      return toCase(c);
    },
  };
}
