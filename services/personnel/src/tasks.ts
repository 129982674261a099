import type { Model } from 'mongoose';
import type { z } from 'zod';
import { LifelineError, notification, personnelEvents, Severity, type EventDef, type personnelContract } from '@lifeline/contracts';
import { call, isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { idFromKey } from '@lifeline/platform/ids';
import { assignmentMessage, notifyKey } from './domain/message';
import { carriedForward, messageOwed } from './domain/outbox';
import { summarize } from './domain/summary';
import {
  acknowledgeSpell,
  awaitsAck,
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
import type { Reservation, Roster } from './roster';
import type { LegacyModels, LegacyTransitionDoc } from './model/legacy';
import type { StandDownDoc } from './model/stand-down';
import type { OwedEffects, TaskDoc, TaskEvent } from './model/task';

type Task = personnelContract.Task;
type DispatchRequest = z.infer<typeof personnelContract.DispatchRequest>;
type FallbackRequest = z.infer<typeof personnelContract.FallbackRequest>;

const NOTIFY_TIMEOUT_MS = 5_000;
const STAND_DOWN_CONCURRENCY = 16;
/** A change lost to another writer is re-decided on the new state, at most this often. */
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

/** What one change sets and the effects it owes once stored. */
interface Change {
  set: Partial<TaskDoc>;
  events: TaskEvent[];
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

const eventOf = (name: TaskEvent['name'], id: string, view: TaskDoc): TaskEvent => ({ name, id, task: toTask(view) as unknown as Record<string, unknown> });

/** The guard of a change: the revision it was decided on (tasks the first version stored have no `rev`). */
const atRevision = (doc: TaskDoc) => ({ _id: doc._id, rev: doc.rev === undefined ? { $exists: false } : doc.rev });

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

function closeAll(doc: TaskDoc, set: Partial<TaskDoc>, event: TaskEvent['name'], id: string): Change {
  return { set, events: [eventOf(event, id, { ...doc, ...set })], release: ['*'] };
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/**
 * The task desk: dispatch with exactly one owner, deadline sweep and fallback, decline, acknowledgement, start,
 * completion and stand-down. Every change is one update of the task guarded by the revision it was decided on
 * (one winner per revision across replicas; a loser decides again on the new state), and the same update writes
 * the effects the change owes into the task's `outbox`. They are carried out afterwards (events with
 * deterministic ids, claim releases, the owner's message) and cleared; a crash in between leaves them on the task
 * for a repeated command or the sweeper to finish. Changes of one task also run one at a time within this
 * process, which saves the re-decisions a race would cost.
 */
export class TaskDesk {
  private readonly serial = new KeyedSerializer();
  /**
   * Tasks whose outbox this process has carried out up to a revision (events published, claims released) while its
   * clearing write is still to come (the owner's message goes first): the next change here need not repeat them.
   */
  private readonly carriedOut = new Map<string, number>();
  /** Owner messages and clearing writes still under way (awaited on shutdown). */
  private readonly messaging = new Set<Promise<unknown>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly roster: Roster,
    private readonly tasks: Model<TaskDoc>,
    private readonly standDowns: Model<StandDownDoc>,
    private readonly legacy: LegacyModels,
  ) {}

  /** The task as stored (one read by `_id`). */
  async find(taskId: string): Promise<TaskDoc | null> {
    return this.tasks.findById(taskId).lean<TaskDoc>();
  }

  /**
   * Decide on the stored revision (or on `fresh`, a task not stored yet), claim the next candidate if needed, and
   * write the change guarded by that revision; if another writer took it, undo the claim and decide again.
   */
  private async transit(taskId: string, plan: (doc: TaskDoc, now: Date) => Plan, fresh?: () => Promise<TaskDoc>): Promise<TaskDoc> {
    let beaten: Reservation | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.find(taskId);
      if (beaten) await this.undo(beaten, stored);
      beaten = undefined;
      const doc = stored ?? (fresh ? await fresh() : null);
      if (!doc) throw new LifelineError('not_found', `no task ${taskId}`);
      const now = new Date();
      const { decision, needsOwner, build } = plan(doc, now);
      if (decision.kind === 'reject') throw new LifelineError(decision.code, decision.message);
      if (decision.kind === 'repeat' || !build) {
        if (stored) await this.finishOwed(stored);
        return doc;
      }
      const reserved = needsOwner ? await this.roster.claimNextCandidate(needOf(doc, now)) : undefined;
      const change = build(doc, needsOwner ? new Date() : now, reserved?.personId); // a deadline runs from when the owner is named
      const written = await this.write(doc, change, stored === null);
      if (written) {
        await this.carryOut(written);
        return written;
      }
      this.ctx.log.debug({ taskId, rev: (doc.rev ?? 0) + 1 }, 'revision taken by another writer; deciding again');
      beaten = reserved;
    }
    if (beaten) await this.undo(beaten, await this.find(taskId));
    throw new LifelineError('conflict', `task ${taskId} kept changing; retry`);
  }

  /** A claim taken for a change that lost: kept if the winner named the same person, else dropped. */
  private async undo(reservation: Reservation, now: TaskDoc | null): Promise<void> {
    if (now?.ownerId !== reservation.personId) await this.roster.dropReservation(reservation);
  }

  /**
   * The change as one write: guarded by the revision it was decided on (an insert for a new task), with the effects
   * it owes appended to those still owed. Null if another writer took the revision (or created the task) first.
   */
  private async write(doc: TaskDoc, change: Change, isNew: boolean): Promise<TaskDoc | null> {
    const rev = (doc.rev ?? 0) + 1;
    const own: OwedEffects = { rev, events: change.events, release: change.release };
    if (change.notify) own.notify = change.notify;
    const fields: Partial<TaskDoc> = { ...change.set, outbox: [...carriedForward(doc.outbox ?? [], this.carriedOut.get(doc._id) ?? 0), own], owing: true, awaitingAck: awaitsAck({ ...doc, ...change.set }) };
    let written: TaskDoc | null;
    if (isNew) {
      const created = { ...doc, ...fields, rev } as TaskDoc;
      written = await this.tasks.create(created).then(
        () => created,
        (err: unknown) => (isDuplicateKey(err) ? null : Promise.reject(err)),
      );
    } else {
      // $inc rather than $set of the revision: were the guard ever not kept, two writers would show as two revisions.
      written = await this.tasks.findOneAndUpdate(atRevision(doc), { $set: fields, $inc: { rev: 1 } }, { returnDocument: 'after' }).lean<TaskDoc>();
    }
    if (written) this.ctx.log.info({ taskId: doc._id, incidentId: doc.incidentId, rev, status: written.status, ownerId: written.ownerId ?? null, events: change.events.map((e) => e.name) }, 'task changed');
    return written;
  }

  /**
   * A written change's effects, each idempotent: events (deduplicated by id) and claim releases before the command
   * answers; the owner's message after it (so a slow notification service does not slow dispatch), then the outbox
   * is cleared by a write guarded by the same revision. A crash before that leaves it owed, and the sweeper (or a
   * repeated command) carries it out again.
   */
  private async carryOut(doc: TaskDoc, waitForMessage = false): Promise<void> {
    const owed = doc.outbox ?? [];
    if (owed.length === 0) return;
    for (const e of owed.flatMap((o) => o.events)) await this.ctx.events.publish(personnelEvents[e.name] as EventDef, e.id, e.task, doc.incidentId);
    const release = owed.flatMap((o) => o.release);
    if (release.length) await this.roster.releaseClaims(doc._id, release.includes('*') ? undefined : release);
    const rev = doc.rev ?? 0;
    this.carriedOut.set(doc._id, rev);
    const notify = messageOwed(owed, rev);
    const finish = async () => {
      if (notify) await this.notifyOwner(doc, notify);
      await this.tasks.updateOne(atRevision(doc), { $set: { outbox: [], owing: false } });
      if (this.carriedOut.get(doc._id) === rev) this.carriedOut.delete(doc._id);
    };
    if (waitForMessage || !notify) return finish();
    const pending = finish().catch((err: unknown) => this.ctx.log.warn({ taskId: doc._id, err }, 'settling a task change failed; the sweeper replays it'));
    this.messaging.add(pending);
    void pending.finally(() => this.messaging.delete(pending));
  }

  /** On a repeated command or a sweep: carry out what a crash left owed, unless this process is doing it now. */
  private async finishOwed(doc: TaskDoc, waitForMessage = false): Promise<void> {
    if (!doc.owing || (this.carriedOut.get(doc._id) ?? -1) >= (doc.rev ?? 0)) return;
    await this.carryOut(doc, waitForMessage);
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.messaging]);
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
    const doc = await this.serial.run(taskId, () =>
      this.transit(
        taskId,
        (found) => ({
          decision: found.assigning ? { kind: 'apply' } : { kind: 'repeat' },
          needsOwner: true,
          build: (d, now, owner) => {
            if (owner) return assignTo(d, owner, now, { assigning: false, spells: [] });
            const set: Partial<TaskDoc> = { status: 'unassigned', assigning: false };
            return { set, events: [eventOf('unassigned', `${d._id}:unassigned:0`, { ...d, ...set })], release: [] };
          },
        }),
        () => this.newTask(taskId, request),
      ),
    );
    return toTask(doc);
  }

  /** The task a first dispatch decides on; it is stored together with its first owner decision, in one insert. */
  private async newTask(taskId: string, r: DispatchRequest): Promise<TaskDoc> {
    if (!(await this.roster.communityExists(r.communityId))) throw new LifelineError('not_found', `no community ${r.communityId}`, { communityId: r.communityId });
    const fresh: TaskDoc = {
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
    return fresh;
  }

  /** The workflow's (or an operator's) fallback; idempotent by key and consistent with the service's own sweep. */
  async fallback(request: FallbackRequest): Promise<Task> {
    const doc = await this.serial.run(request.taskId, () =>
      this.transit(request.taskId, (d, now) => ({ decision: decideFallback(d, request.idempotencyKey, now, request.ownerId), needsOwner: true, build: handOver('timed-out', request.idempotencyKey) })),
    );
    return toTask(doc);
  }

  /** The sweep: an overdue owner is recorded as timed out and the next candidate takes over. */
  async timeOut(taskId: string): Promise<TaskDoc> {
    return this.serial.run(taskId, () =>
      this.transit(taskId, (d, now) => ({ decision: isOverdue(d, now) ? { kind: 'apply' } : { kind: 'repeat' }, needsOwner: true, build: handOver('timed-out') })),
    );
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
    return docs.map(toTask);
  }

  /** Tasks whose service-kept deadline has passed (the sweeper's work list, read by the `awaitingAck` index). */
  async overdue(now: Date, limit: number): Promise<string[]> {
    const docs = await this.tasks.find({ awaitingAck: true, ackDueAt: { $lte: now } }, { _id: 1 }).limit(limit).lean<{ _id: string }[]>();
    return docs.map((d) => d._id);
  }

  /** Tasks whose outbox nobody has cleared within `graceMs` of their last write (a crash between write and effects). */
  async owed(now: Date, graceMs: number, limit: number): Promise<TaskDoc[]> {
    return this.tasks.find({ owing: true, updatedAt: { $lt: new Date(now.getTime() - graceMs) } }).limit(limit).lean<TaskDoc[]>();
  }

  /** Carry out and clear what a task still owes (called by the sweeper); nothing if it was cleared meanwhile. */
  async settle(doc: TaskDoc): Promise<void> {
    await this.finishOwed(doc, true);
  }

  /**
   * What the previous version left in a running deployment, settled once: a claimed revision not yet applied is
   * applied now (as one guarded write with its effects owed, like any change), an applied one has its effects
   * carried out; a deadline it recorded apart becomes the task's `awaitingAck`. Both collections only shrink.
   */
  async settleLegacy(limit: number): Promise<number> {
    const transitions = await this.legacy.transitions.find({ settled: false }).sort({ rev: 1 }).limit(limit).lean<LegacyTransitionDoc[]>();
    for (const t of transitions) {
      const doc = await this.find(t.taskId);
      if (doc && (doc.rev ?? 0) === t.rev - 1) {
        const written = await this.write(doc, { set: t.set as Partial<TaskDoc>, events: t.events ?? [], release: t.release ?? [], ...(t.notify ? { notify: t.notify } : {}) }, false);
        if (!written) continue; // changed meanwhile: the next pass sees it as applied or not
        await this.carryOut(written, true);
      } else if (doc && (doc.rev ?? 0) >= t.rev) {
        // Carried out with whatever the task owes itself, since the clearing write empties the whole outbox.
        const entry: OwedEffects = { rev: t.rev, events: t.events ?? [], release: t.release ?? [], ...(t.notify && doc.rev === t.rev ? { notify: t.notify } : {}) };
        await this.carryOut({ ...doc, outbox: [...(doc.outbox ?? []), entry] }, true);
      }
      await this.legacy.transitions.updateOne({ _id: t._id }, { $set: { settled: true } });
    }
    const deadlines = await this.legacy.deadlines.find({}).limit(limit).lean();
    for (const d of deadlines) {
      await this.tasks.updateOne({ _id: d._id, status: 'assigned', ownerId: d.ownerId, awaitingAck: { $exists: false } }, { $set: { awaitingAck: true } });
      await this.legacy.deadlines.deleteOne({ _id: d._id });
    }
    return transitions.length + deadlines.length;
  }
}
