import type { Model } from 'mongoose';
import type { z } from 'zod';
import { LifelineError, notification, personnelEvents, Severity, type EventDef, type personnelContract } from '@lifeline/contracts';
import { call, isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { idFromKey } from '@lifeline/platform/ids';
import { assignmentMessage, notifyKey } from './domain/message';
import { summarize } from './domain/summary';
import {
  acknowledgeSpell,
  closeSpell,
  decideAcknowledge,
  decideComplete,
  decideDecline,
  decideFallback,
  decideStart,
  dueAt,
  isOverdue,
  OPEN_STATUSES,
  type Decision,
} from './domain/transitions';
import { KeyedSerializer } from './serial';
import type { TaskNeed } from './domain/candidates';
import type { Roster } from './roster';
import type { StandDownDoc } from './model/stand-down';
import type { DeadlineDoc } from './model/deadline';
import type { TaskDoc } from './model/task';
import { transitionIdOf, type TransitionDoc, type TransitionEvent } from './model/transition';

type Task = personnelContract.Task;
type DispatchRequest = z.infer<typeof personnelContract.DispatchRequest>;
type FallbackRequest = z.infer<typeof personnelContract.FallbackRequest>;

const NOTIFY_TIMEOUT_MS = 5_000;
const STAND_DOWN_CONCURRENCY = 16;
/** A transition lost to another replica is re-decided on the new state, at most this often. */
const MAX_ATTEMPTS = 6;

/** A task id is derived from the dispatch's idempotency key, so a repeat can only ever find the same task. */
export const taskIdFor = (idempotencyKey: string) => idFromKey('task', idempotencyKey, 24);

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
  const severity = Severity.safeParse(doc.severity);
  if (severity.success) task.severity = severity.data;
  if (doc.ownerId) task.ownerId = doc.ownerId;
  if (doc.hours !== undefined && doc.hours !== null) task.hours = doc.hours;
  if (doc.ackDueAt && doc.status === 'assigned') task.ackDueAt = new Date(doc.ackDueAt).toISOString();
  return task;
}

/** What one transition changes and the effects it owes once stored. */
interface Change {
  set: Partial<TaskDoc>;
  events: TransitionEvent[];
  release: string[];
  notify?: string;
}

/** How a command treats the task it finds: a decision, whether it needs the next candidate, and the change. */
interface Plan {
  decision: Decision;
  needsOwner?: boolean;
  build?: (doc: TaskDoc, now: Date, nextOwner: string | undefined) => Change;
}

const needOf = (doc: TaskDoc, now: Date): TaskNeed => ({
  taskId: doc._id,
  incidentId: doc.incidentId,
  communityId: doc.communityId,
  role: doc.role,
  skill: doc.skill ?? undefined,
  gridId: doc.gridId ?? undefined,
  previousOwners: doc.owners ?? [],
  today: now.toISOString().slice(0, 10),
});

const eventOf = (name: TransitionEvent['name'], id: string, view: TaskDoc): TransitionEvent => ({ name, id, task: toTask(view) as unknown as Record<string, unknown> });

/** A new owner takes the task (first assignment or hand-over): fields and the `task-assigned` event. */
function assignTo(doc: TaskDoc, owner: string, now: Date, base: Partial<TaskDoc>): Change {
  const set: Partial<TaskDoc> = {
    ...base,
    ownerId: owner,
    owners: [...(doc.owners ?? []), owner],
    status: 'assigned',
    assignedAt: now,
    ackDueAt: dueAt(doc, now),
    spells: [...(base.spells ?? doc.spells ?? []), { ownerId: owner, assignedAt: now }],
  };
  return { set, events: [eventOf('assigned', `${doc._id}:assigned:${owner}`, { ...doc, ...set })], release: [], notify: owner };
}

/** The current owner leaves (timed out or declined) and the next candidate, if any, takes over. */
function handOver(cause: 'timed-out' | 'declined', key?: string) {
  return (doc: TaskDoc, now: Date, next: string | undefined): Change => {
    const leaving = doc.status === 'assigned' && doc.ownerId ? doc.ownerId : undefined;
    const base: Partial<TaskDoc> = {
      spells: leaving ? closeSpell(doc.spells ?? [], leaving, cause, now) : (doc.spells ?? []),
      timedOutOwners: cause === 'timed-out' && leaving ? [...(doc.timedOutOwners ?? []), leaving] : (doc.timedOutOwners ?? []),
      fallbackKeys: key ? [...(doc.fallbackKeys ?? []), key] : (doc.fallbackKeys ?? []),
    };
    const left = leaving ? [eventOf(cause === 'timed-out' ? 'timedOut' : 'declined', `${doc._id}:${cause}:${leaving}`, { ...doc, status: cause })] : [];
    if (next) {
      const change = assignTo(doc, next, now, base);
      return { ...change, events: [...left, ...change.events], release: leaving ? [leaving] : [] };
    }
    const set: Partial<TaskDoc> = { ...base, ownerId: null as unknown as undefined, ackDueAt: null, status: leaving ? cause : doc.status };
    const nobody = eventOf('unassigned', `${doc._id}:unassigned:${doc.owners?.length ?? 0}`, { ...doc, ...set, ownerId: undefined });
    return { set, events: [...left, nobody], release: leaving ? [leaving] : [] };
  };
}

function closeAll(doc: TaskDoc, set: Partial<TaskDoc>, event: TransitionEvent['name'], id: string): Change {
  return { set, events: [eventOf(event, id, { ...doc, ...set })], release: ['*'] };
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/**
 * The task desk: dispatch with exactly one owner, deadline sweep and fallback, decline, acknowledgement, start,
 * completion and stand-down. Every change is a revision claimed by a unique insert into `task_transitions`
 * (one winner per revision across replicas and restarts), then applied to the task document; effects
 * (events with deterministic ids, claim releases, the owner's message) follow and are replayed if a crash
 * interrupted them. Transitions of one task also run one at a time within this process.
 */
export class TaskDesk {
  private readonly serial = new KeyedSerializer();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly roster: Roster,
    private readonly tasks: Model<TaskDoc>,
    private readonly transitions: Model<TransitionDoc>,
    private readonly standDowns: Model<StandDownDoc>,
    private readonly deadlines: Model<DeadlineDoc>,
  ) {}

  /** The task with every stored revision applied (a revision claimed but not yet applied is rolled forward). */
  async find(taskId: string): Promise<TaskDoc | null> {
    let doc = await this.tasks.findById(taskId).lean<TaskDoc>();
    while (doc) {
      const next = await this.transitions.findById(transitionIdOf(taskId, (doc.rev ?? 0) + 1)).lean<TransitionDoc>();
      if (!next) break;
      // By exact _id (the one query FerretDB does not scan for); the revision insert already chose the writer, and
      // a stale roll-forward that lands late is corrected by the next read, which rolls forward again.
      await this.tasks.updateOne({ _id: taskId }, { $set: { ...next.set, rev: next.rev } });
      doc = { ...doc, ...(next.set as Partial<TaskDoc>), rev: next.rev };
    }
    return doc;
  }

  private async mustFind(taskId: string): Promise<TaskDoc> {
    const doc = await this.find(taskId);
    if (!doc) throw new LifelineError('not_found', `no task ${taskId}`);
    return doc;
  }

  /** Decide on the current revision, claim the next candidate if needed, and commit; re-decide if another replica won. */
  private async transit(taskId: string, plan: (doc: TaskDoc, now: Date) => Plan): Promise<TaskDoc> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const doc = await this.mustFind(taskId);
      const now = new Date();
      const { decision, needsOwner, build } = plan(doc, now);
      if (decision.kind === 'reject') throw new LifelineError(decision.code, decision.message);
      if (decision.kind === 'repeat' || !build) {
        await this.settleLatest(doc);
        return doc;
      }
      const owner = needsOwner ? await this.roster.claimNextCandidate(needOf(doc, now)) : undefined;
      const change = build(doc, needsOwner ? new Date() : now, owner); // a deadline runs from when the owner is named
      const committed = await this.commit(doc, change);
      if (committed) return committed;
      this.ctx.log.debug({ taskId, rev: (doc.rev ?? 0) + 1 }, 'revision taken by another writer; deciding again');
      if (owner && (await this.find(taskId))?.ownerId !== owner) await this.roster.releaseClaims(taskId, [owner]);
    }
    throw new LifelineError('conflict', `task ${taskId} kept changing; retry`);
  }

  /** Claim revision rev+1 by unique insert; the winner applies it and carries out its effects. Null if another won. */
  private async commit(doc: TaskDoc, change: Change): Promise<TaskDoc | null> {
    const rev = (doc.rev ?? 0) + 1;
    const next = { ...doc, ...change.set } as TaskDoc;
    const deadline = next.status === 'assigned' && next.ackDueAt && next.ownerId ? { dueAt: next.ackDueAt, ownerId: next.ownerId } : doc.ackDueAt ? null : undefined;
    const transition: TransitionDoc = { _id: transitionIdOf(doc._id, rev), taskId: doc._id, rev, set: change.set, events: change.events, release: change.release, notify: change.notify ?? null, settled: false };
    if (deadline !== undefined) transition.deadline = deadline;
    try {
      await this.transitions.create(transition);
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
    await this.tasks.updateOne({ _id: doc._id }, { $set: { ...change.set, rev } });
    const after = { ...doc, ...change.set, rev } as TaskDoc;
    this.ctx.log.info({ taskId: doc._id, incidentId: doc.incidentId, rev, status: after.status, ownerId: after.ownerId ?? null, events: change.events.map((e) => e.name) }, 'task changed');
    await this.carryOut(transition, after);
    return after;
  }

  /**
   * A transition's effects, each idempotent: events (deduplicated by id) and claim releases before the command
   * answers; the owner's message after it (so a slow notification service does not slow dispatch), then the
   * transition is marked settled. A crash before that leaves it unsettled, and the sweeper replays it.
   */
  async carryOut(t: TransitionDoc, doc: TaskDoc, waitForMessage = false): Promise<void> {
    for (const e of t.events ?? []) await this.ctx.events.publish(personnelEvents[e.name] as EventDef, e.id, e.task, doc.incidentId);
    if (t.release?.length) await this.roster.releaseClaims(doc._id, t.release.includes('*') ? undefined : t.release);
    if (t.deadline !== undefined) await this.keepDeadline(doc._id, t.rev, t.deadline);
    const finish = async () => {
      if (t.notify) await this.notifyOwner(doc, t.notify);
      await this.transitions.updateOne({ _id: t._id }, { $set: { settled: true } });
    };
    if (waitForMessage || !t.notify) return finish();
    const pending = finish().catch((err: unknown) => this.ctx.log.warn({ taskId: doc._id, err }, 'settling a task change failed; the sweeper replays it'));
    this.messaging.add(pending);
    void pending.finally(() => this.messaging.delete(pending));
  }

  /** Record (or clear) the task's deadline for the sweeper; an older revision never overwrites a newer one. */
  private async keepDeadline(taskId: string, rev: number, deadline: TransitionDoc['deadline']): Promise<void> {
    const current = await this.deadlines.findById(taskId, { rev: 1 }).lean<DeadlineDoc>();
    if (current && current.rev > rev) return;
    if (deadline) await this.deadlines.updateOne({ _id: taskId }, { $set: { dueAt: deadline.dueAt, ownerId: deadline.ownerId, rev } }, { upsert: true });
    else await this.deadlines.deleteOne({ _id: taskId });
  }

  /** Make the sweeper's record agree with the task (after a sweep, or when the safety net finds a task missing one). */
  async reconcileDeadline(doc: TaskDoc): Promise<void> {
    const due = doc.status === 'assigned' && doc.ackDueAt && doc.ownerId ? { dueAt: doc.ackDueAt, ownerId: doc.ownerId } : null;
    await this.keepDeadline(doc._id, doc.rev ?? 0, due);
  }

  /** Owner messages still being sent (awaited on shutdown). */
  private readonly messaging = new Set<Promise<unknown>>();

  async drain(): Promise<void> {
    await Promise.allSettled([...this.messaging]);
  }

  /** On a repeated command: finish the latest transition's effects if a crash interrupted them. */
  private async settleLatest(doc: TaskDoc): Promise<void> {
    if (!doc.rev) return;
    const latest = await this.transitions.findById(transitionIdOf(doc._id, doc.rev)).lean<TransitionDoc>();
    if (latest && !latest.settled) await this.carryOut(latest, doc);
  }

  /** Replay the effects of a transition left unsettled (called by the sweeper). */
  async settle(t: TransitionDoc): Promise<void> {
    const doc = await this.find(t.taskId);
    if (doc) await this.carryOut(t, doc, true);
  }

  /** Message the owner through notification; an outage does not fail the command (the deadline covers it). */
  private async notifyOwner(doc: TaskDoc, ownerId: string): Promise<void> {
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

  async dispatch(request: DispatchRequest): Promise<Task> {
    const taskId = taskIdFor(request.idempotencyKey);
    const doc = await this.serial.run(taskId, async () => {
      if (!(await this.tasks.exists({ _id: taskId }))) await this.createTask(taskId, request);
      return this.transit(taskId, (found) => ({
        decision: found.assigning ? { kind: 'apply' } : { kind: 'repeat' },
        needsOwner: true,
        build: (d, now, owner) => {
          if (owner) return assignTo(d, owner, now, { assigning: false, spells: [] });
          const set: Partial<TaskDoc> = { status: 'unassigned', assigning: false };
          return { set, events: [eventOf('unassigned', `${d._id}:unassigned:0`, { ...d, ...set })], release: [] };
        },
      }));
    });
    return toTask(doc);
  }

  private async createTask(taskId: string, r: DispatchRequest): Promise<void> {
    if (!(await this.roster.communityExists(r.communityId))) throw new LifelineError('not_found', `no community ${r.communityId}`, { communityId: r.communityId });
    const fresh: Partial<TaskDoc> = {
      _id: taskId,
      idempotencyKey: r.idempotencyKey,
      incidentId: r.incidentId,
      communityId: r.communityId,
      stepId: r.stepId,
      role: r.role,
      task: r.task,
      severity: r.severity,
      drill: r.drill,
      owners: [],
      status: 'unassigned',
      assigning: true,
      timedOutOwners: [],
      fallbackKeys: [],
      rev: 0,
      spells: [],
    };
    if (r.skill) fresh.skill = r.skill;
    if (r.gridId) fresh.gridId = r.gridId;
    if (r.ackDeadlineSeconds) fresh.ackDeadlineSeconds = r.ackDeadlineSeconds;
    try {
      await this.tasks.create(fresh);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /** The workflow's (or an operator's) fallback; idempotent by key and consistent with the service's own sweep. */
  async fallback(request: FallbackRequest): Promise<Task> {
    const doc = await this.serial.run(request.taskId, () =>
      this.transit(request.taskId, (d, now) => ({ decision: decideFallback(d, request.idempotencyKey, now, request.ownerId), needsOwner: true, build: handOver('timed-out', request.idempotencyKey) })),
    );
    return toTask(doc);
  }

  /** The sweep: an overdue owner is recorded as timed out and the next candidate takes over; the record follows the task. */
  async timeOut(taskId: string): Promise<TaskDoc | null> {
    return this.serial.run(taskId, async () => {
      if (!(await this.tasks.exists({ _id: taskId }))) {
        await this.deadlines.deleteOne({ _id: taskId });
        return null;
      }
      const doc = await this.transit(taskId, (d, now) => ({ decision: isOverdue(d, now) ? { kind: 'apply' } : { kind: 'repeat' }, needsOwner: true, build: handOver('timed-out') }));
      await this.reconcileDeadline(doc);
      return doc;
    });
  }

  async decline(taskId: string, personId: string): Promise<Task> {
    const doc = await this.serial.run(taskId, () => this.transit(taskId, (d) => ({ decision: decideDecline(d, personId), needsOwner: true, build: handOver('declined') })));
    return toTask(doc);
  }

  async acknowledge(taskId: string, personId: string): Promise<Task> {
    const doc = await this.serial.run(taskId, () =>
      this.transit(taskId, (d) => ({
        decision: decideAcknowledge(d, personId),
        build: (t, now) => {
          const set: Partial<TaskDoc> = { status: 'acknowledged', acknowledgedAt: now, ackDueAt: null, spells: acknowledgeSpell(t.spells ?? [], personId, now) };
          return { set, events: [eventOf('acknowledged', `${t._id}:acknowledged`, { ...t, ...set })], release: [] };
        },
      })),
    );
    return toTask(doc);
  }

  async start(taskId: string, personId: string): Promise<Task> {
    const doc = await this.serial.run(taskId, () =>
      this.transit(taskId, (d) => ({
        decision: decideStart(d, personId),
        build: (t) => {
          const set: Partial<TaskDoc> = { status: 'in-progress' };
          return { set, events: [eventOf('started', `${t._id}:started`, { ...t, ...set })], release: [] };
        },
      })),
    );
    return toTask(doc);
  }

  async complete(taskId: string, personId: string, hours: number): Promise<Task> {
    const doc = await this.serial.run(taskId, () =>
      this.transit(taskId, (d) => ({
        decision: decideComplete(d, personId),
        build: (t, now) => closeAll(t, { status: 'done', hours, doneAt: now, spells: closeSpell(t.spells ?? [], personId, 'done', now) }, 'completed', `${t._id}:done`),
      })),
    );
    return toTask(doc);
  }

  /** Every open task of the incident → stood-down; the first count is kept under the key and returned on a repeat. */
  async standDown(idempotencyKey: string, incidentId: string): Promise<z.infer<typeof personnelContract.StandDownResult>> {
    const prior = await this.standDowns.findById(idempotencyKey).lean<StandDownDoc>();
    if (prior) return { incidentId: prior.incidentId, stoodDown: prior.stoodDown };
    const open = await this.tasks.find({ incidentId, status: { $in: OPEN_STATUSES } }, { _id: 1 }).lean<{ _id: string }[]>();
    await inBatches(open, STAND_DOWN_CONCURRENCY, (t) =>
      this.serial.run(t._id, () =>
        this.transit(t._id, (d) => ({
          decision: OPEN_STATUSES.includes(d.status) ? { kind: 'apply' } : { kind: 'repeat' },
          build: (doc, now) =>
            closeAll(
              doc,
              { status: 'stood-down', stoodDownBy: idempotencyKey, stoodDownAt: now, assigning: false, ackDueAt: null, spells: closeSpell(doc.spells ?? [], doc.ownerId, 'stood-down', now) },
              'stoodDown',
              `${doc._id}:stood-down`,
            ),
        })),
      ),
    );
    const mine = await this.tasks.countDocuments({ incidentId, stoodDownBy: idempotencyKey });
    try {
      await this.standDowns.create({ _id: idempotencyKey, incidentId, stoodDown: mine });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const first = await this.standDowns.findById(idempotencyKey).lean<StandDownDoc>();
    return { incidentId: first?.incidentId ?? incidentId, stoodDown: first?.stoodDown ?? mine };
  }

  async summary(incidentId: string): Promise<personnelContract.PersonnelSummary> {
    const docs = await this.tasks.find({ incidentId }, { communityId: 1, role: 1, status: 1, acknowledgedAt: 1, owners: 1, timedOutOwners: 1, spells: 1, hours: 1, ownerId: 1 }).lean<TaskDoc[]>();
    return summarize(incidentId, docs);
  }

  async listByIncident(incidentId: string, limit = 5000): Promise<Task[]> {
    const docs = await this.tasks.find({ incidentId }).sort({ _id: 1 }).limit(limit).lean<TaskDoc[]>();
    const current = await Promise.all(docs.map((d) => (d.rev === undefined ? d : this.find(d._id))));
    return current.flatMap((d) => (d ? [toTask(d)] : []));
  }

  /** Tasks whose recorded deadline has passed (the sweeper's work list, from the small `ack_deadlines`). */
  async overdue(now: Date, limit: number): Promise<string[]> {
    const docs = await this.deadlines.find({ dueAt: { $lte: now } }, { _id: 1 }).limit(limit).lean<{ _id: string }[]>();
    return docs.map((d) => d._id);
  }

  /** Safety net: assigned tasks past their deadline, read from the tasks themselves (a full scan; run rarely). */
  async overdueInTasks(now: Date, limit: number): Promise<string[]> {
    const docs = await this.tasks.find({ status: 'assigned', ackDueAt: { $lte: now } }, { _id: 1 }).limit(limit).lean<{ _id: string }[]>();
    return docs.map((d) => d._id);
  }

  /** Transitions whose effects were not confirmed within `graceMs` (a crash between commit and effects). */
  async unsettled(now: Date, graceMs: number, limit: number): Promise<TransitionDoc[]> {
    return this.transitions.find({ settled: false, createdAt: { $lt: new Date(now.getTime() - graceMs) } }).limit(limit).lean<TransitionDoc[]>();
  }
}
