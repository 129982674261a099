import { createHash } from 'node:crypto';
import type { Model } from 'mongoose';
import type { z } from 'zod';
import { LifelineError, notification, personnelEvents, type personnelContract } from '@lifeline/contracts';
import { call, isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { assignmentMessage, notifyKey } from './domain/message';
import { summarize } from './domain/summary';
import { decideAcknowledge, decideComplete, decideFallback, HELD_STATUSES, OPEN_STATUSES, type Decision } from './domain/transitions';
import { KeyedSerializer } from './serial';
import type { TaskNeed } from './domain/candidates';
import type { Roster } from './roster';
import type { StandDownDoc } from './model/stand-down';
import type { TaskDoc } from './model/task';

type Task = personnelContract.Task;
type DispatchRequest = z.infer<typeof personnelContract.DispatchRequest>;
type FallbackRequest = z.infer<typeof personnelContract.FallbackRequest>;

const NOTIFY_TIMEOUT_MS = 5_000;
const STAND_DOWN_CONCURRENCY = 16;

/** A task id is derived from the dispatch's idempotency key, so a repeat can only ever find the same task. */
export const taskIdFor = (idempotencyKey: string) => `task-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;

/** The contract view of a stored task (no personal data is stored on tasks). */
export function toTask(doc: TaskDoc): Task {
  const task: Task = {
    taskId: doc._id,
    incidentId: doc.incidentId,
    communityId: doc.communityId,
    stepId: doc.stepId,
    role: doc.role,
    owners: [...(doc.owners ?? [])],
    status: doc.status,
    drill: doc.drill,
  };
  if (doc.skill) task.skill = doc.skill;
  if (doc.ownerId) task.ownerId = doc.ownerId;
  if (doc.hours !== undefined && doc.hours !== null) task.hours = doc.hours;
  return task;
}

/** The owner whose claim must survive a settle: only a task still held keeps one. */
const heldBy = (doc: TaskDoc) => (HELD_STATUSES.includes(doc.status) ? doc.ownerId : undefined);

const needOf = (doc: TaskDoc): TaskNeed => ({
  taskId: doc._id,
  incidentId: doc.incidentId,
  communityId: doc.communityId,
  role: doc.role,
  skill: doc.skill ?? undefined,
  previousOwners: doc.owners ?? [],
});

function enforce(decision: Decision): 'apply' | 'repeat' {
  if (decision.kind === 'reject') throw new LifelineError(decision.code, decision.message);
  return decision.kind;
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/**
 * The task desk: dispatch with exactly one owner, fallback, acknowledgement, completion and stand-down.
 * Each command is idempotent through single-document conditional updates; events are published after the
 * state is stored, with ids deterministic for the fact, and re-published on a repeat (JetStream dedupes).
 * Transitions of one task run one at a time in this process (see KeyedSerializer for why).
 */
export class TaskDesk {
  private readonly serial = new KeyedSerializer();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly roster: Roster,
    private readonly tasks: Model<TaskDoc>,
    private readonly standDowns: Model<StandDownDoc>,
  ) {}

  async find(taskId: string): Promise<TaskDoc | null> {
    return this.tasks.findById(taskId).lean<TaskDoc>();
  }

  private async mustFind(taskId: string): Promise<TaskDoc> {
    const doc = await this.find(taskId);
    if (!doc) throw new LifelineError('not_found', `no task ${taskId}`);
    return doc;
  }

  async dispatch(request: DispatchRequest): Promise<Task> {
    const taskId = taskIdFor(request.idempotencyKey);
    const doc = await this.serial.run(taskId, async () => {
      const found = (await this.find(taskId)) ?? (await this.createTask(taskId, request));
      return found.assigning ? this.assignFirstOwner(found) : found;
    });
    if (doc.status === 'assigned') await this.announceOwner(doc);
    return toTask(doc);
  }

  private async createTask(taskId: string, r: DispatchRequest): Promise<TaskDoc> {
    if (!(await this.roster.communityExists(r.communityId))) throw new LifelineError('not_found', `no community ${r.communityId}`, { communityId: r.communityId });
    const fresh = {
      _id: taskId,
      idempotencyKey: r.idempotencyKey,
      incidentId: r.incidentId,
      communityId: r.communityId,
      stepId: r.stepId,
      role: r.role,
      skill: r.skill,
      task: r.task,
      severity: r.severity,
      drill: r.drill,
      owners: [],
      status: 'unassigned' as const,
      assigning: true,
      timedOutOwners: [],
      fallbackKeys: [],
    };
    try {
      await this.tasks.create(fresh);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    return this.mustFind(taskId);
  }

  /** First owner decision; a concurrent twin of this dispatch may win, in which case its owner stands. */
  private async assignFirstOwner(doc: TaskDoc): Promise<TaskDoc> {
    const ownerId = await this.roster.claimNextCandidate(needOf(doc));
    const update = ownerId
      ? { $set: { ownerId, owners: [ownerId], status: 'assigned', assignedAt: new Date(), assigning: false } }
      : { $set: { status: 'unassigned', assigning: false } };
    const settled = (await this.tasks.findOneAndUpdate({ _id: doc._id, assigning: true, status: 'unassigned' }, update, { new: true }).lean<TaskDoc>()) ?? (await this.mustFind(doc._id));
    await this.roster.releaseClaims(doc._id, heldBy(settled));
    return settled;
  }

  /** Publish `task-assigned` and message the owner; a notification outage does not fail the dispatch. */
  private async announceOwner(doc: TaskDoc): Promise<void> {
    const ownerId = doc.ownerId!;
    await this.ctx.events.publish(personnelEvents.assigned, `${doc._id}:assigned:${ownerId}`, toTask(doc), doc.incidentId);
    try {
      const phone = await this.roster.phoneOf(ownerId);
      if (phone === undefined) throw new LifelineError('not_found', 'owner left the roster');
      await call(
        this.ctx.nc,
        notification.direct,
        {
          idempotencyKey: notifyKey(doc.idempotencyKey, doc._id, ownerId),
          incidentId: doc.incidentId,
          recipientId: ownerId,
          phone,
          message: assignmentMessage(doc.task, doc.severity, doc.drill),
          drill: doc.drill,
        },
        { timeoutMs: NOTIFY_TIMEOUT_MS },
      );
    } catch (err) {
      const code = err instanceof LifelineError ? err.code : 'internal';
      this.ctx.log.warn({ taskId: doc._id, ownerId, code }, 'task owner not notified; the acknowledgement deadline covers it');
    }
  }

  async fallback(request: FallbackRequest): Promise<Task> {
    const doc = await this.serial.run(request.taskId, () => this.applyFallback(request.taskId, request.idempotencyKey));
    if (doc.status === 'assigned') await this.announceOwner(doc);
    return toTask(doc);
  }

  private async applyFallback(taskId: string, key: string): Promise<TaskDoc> {
    let doc = await this.mustFind(taskId);
    let decision = decideFallback(doc, key);
    if (decision.kind === 'apply') {
      const begun = await this.beginFallback(doc, key);
      doc = begun ?? (await this.mustFind(taskId));
      decision = begun ? { kind: 'resume' } : decideFallback(doc, key);
      if (decision.kind === 'apply') throw new LifelineError('conflict', 'the task changed during the fallback; retry');
    }
    if (decision.kind === 'reject') throw new LifelineError(decision.code, decision.message);
    return decision.kind === 'resume' ? this.finishFallback(doc, key) : doc;
  }

  /** Step 1: the owner who missed the deadline moves out (recorded as timed out); the key marks the work under way. */
  private async beginFallback(doc: TaskDoc, key: string): Promise<TaskDoc | null> {
    const timedOut = doc.status === 'assigned' && doc.ownerId ? { $push: { timedOutOwners: doc.ownerId } } : {};
    return this.tasks
      .findOneAndUpdate(
        { _id: doc._id, status: doc.status, ownerId: doc.ownerId ?? null, pendingFallback: null, fallbackKeys: { $ne: key } },
        { $set: { status: 'unassigned', pendingFallback: key }, $unset: { ownerId: 1 }, ...timedOut },
        { new: true },
      )
      .lean<TaskDoc>();
  }

  /** Step 2: release the previous owners, claim the next candidate (never a previous owner), settle the key. */
  private async finishFallback(doc: TaskDoc, key: string): Promise<TaskDoc> {
    await this.roster.releaseClaims(doc._id);
    const ownerId = await this.roster.claimNextCandidate(needOf(doc));
    const settle = { $addToSet: { fallbackKeys: key }, $unset: { pendingFallback: 1 } };
    const update = ownerId
      ? { ...settle, $set: { ownerId, status: 'assigned', assignedAt: new Date() }, $push: { owners: ownerId } }
      : { ...settle, $set: { status: 'unassigned' } };
    const settled = (await this.tasks.findOneAndUpdate({ _id: doc._id, pendingFallback: key, status: 'unassigned' }, update, { new: true }).lean<TaskDoc>()) ?? (await this.mustFind(doc._id));
    await this.roster.releaseClaims(doc._id, heldBy(settled));
    return settled;
  }

  async acknowledge(taskId: string, personId: string): Promise<Task> {
    return this.serial.run(taskId, () => this.applyAcknowledge(taskId, personId));
  }

  private async applyAcknowledge(taskId: string, personId: string): Promise<Task> {
    let doc = await this.mustFind(taskId);
    if (enforce(decideAcknowledge(doc, personId)) === 'apply') {
      const updated = await this.tasks
        .findOneAndUpdate({ _id: taskId, ownerId: personId, status: 'assigned' }, { $set: { status: 'acknowledged', acknowledgedAt: new Date() } }, { new: true })
        .lean<TaskDoc>();
      doc = updated ?? (await this.mustFind(taskId));
      if (!updated) enforce(decideAcknowledge(doc, personId));
    }
    if (doc.status === 'acknowledged') await this.ctx.events.publish(personnelEvents.acknowledged, `${taskId}:acknowledged`, toTask(doc), doc.incidentId);
    return toTask(doc);
  }

  async complete(taskId: string, personId: string, hours: number): Promise<Task> {
    return this.serial.run(taskId, () => this.applyComplete(taskId, personId, hours));
  }

  private async applyComplete(taskId: string, personId: string, hours: number): Promise<Task> {
    let doc = await this.mustFind(taskId);
    if (enforce(decideComplete(doc, personId)) === 'apply') {
      const updated = await this.tasks
        .findOneAndUpdate({ _id: taskId, ownerId: personId, status: { $in: ['acknowledged', 'in-progress'] } }, { $set: { status: 'done', hours, doneAt: new Date() } }, { new: true })
        .lean<TaskDoc>();
      doc = updated ?? (await this.mustFind(taskId));
      if (!updated) enforce(decideComplete(doc, personId));
    }
    await this.roster.releaseClaims(taskId);
    await this.ctx.events.publish(personnelEvents.completed, `${taskId}:done`, toTask(doc), doc.incidentId);
    return toTask(doc);
  }

  /** Every open task of the incident → stood-down; the first count is kept under the key and returned on a repeat. */
  async standDown(idempotencyKey: string, incidentId: string): Promise<z.infer<typeof personnelContract.StandDownResult>> {
    const prior = await this.standDowns.findById(idempotencyKey).lean<StandDownDoc>();
    if (prior) return { incidentId: prior.incidentId, stoodDown: prior.stoodDown };
    const open = await this.tasks.find({ incidentId, status: { $in: OPEN_STATUSES } }, { _id: 1 }).lean<{ _id: string }[]>();
    await inBatches(open, STAND_DOWN_CONCURRENCY, (t) =>
      this.serial.run(t._id, () =>
        this.tasks.updateOne({ _id: t._id, status: { $in: OPEN_STATUSES } }, { $set: { status: 'stood-down', stoodDownBy: idempotencyKey, stoodDownAt: new Date(), assigning: false } }),
      ),
    );
    const mine = await this.tasks.find({ incidentId, stoodDownBy: idempotencyKey }).lean<TaskDoc[]>();
    await inBatches(mine, STAND_DOWN_CONCURRENCY, async (doc) => {
      await this.roster.releaseClaims(doc._id);
      await this.ctx.events.publish(personnelEvents.stoodDown, `${doc._id}:stood-down`, toTask(doc), incidentId);
    });
    try {
      await this.standDowns.create({ _id: idempotencyKey, incidentId, stoodDown: mine.length });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const first = await this.standDowns.findById(idempotencyKey).lean<StandDownDoc>();
    return { incidentId: first?.incidentId ?? incidentId, stoodDown: first?.stoodDown ?? mine.length };
  }

  async summary(incidentId: string): Promise<personnelContract.PersonnelSummary> {
    const docs = await this.tasks.find({ incidentId }, { communityId: 1, status: 1, acknowledgedAt: 1, owners: 1, timedOutOwners: 1 }).lean<TaskDoc[]>();
    return summarize(incidentId, docs);
  }

  async listByIncident(incidentId: string, limit = 5000): Promise<Task[]> {
    const docs = await this.tasks.find({ incidentId }).sort({ _id: 1 }).limit(limit).lean<TaskDoc[]>();
    return docs.map(toTask);
  }
}
