import { setTimeout as sleep } from 'node:timers/promises';
import { incentivesEvents, LifelineError, Severity, type incentivesContract, type personnelContract, type RequestOf, type incentives } from '@lifeline/contracts';
import { isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { claimFindings, dayFindings, payableHours, type Finding, type VerifiedWork } from './domain/fraud';
import { causeKey, causes, type ChainHead } from './domain/ledger';
import { pointsForTask, workDay, type RuleTable } from './domain/rules';
import { assignmentModel, completionModel, incidentModel, type CompletionDoc } from './model/completion';
import type { EntryDoc } from './model/entry';
import { entryIdFor, ledgerStore, type AppendResult } from './model/ledger';
import { auditModel, flagModel, type AuditDoc, type FlagDoc } from './model/records';

/** The contract's view of a stored entry (no audit fields, no chain internals beyond seq). */
export function toLedgerEntry(e: EntryDoc): incentivesContract.LedgerEntry {
  return {
    entryId: e._id,
    participantId: e.participantId,
    ...(e.incidentId === undefined ? {} : { incidentId: e.incidentId }),
    kind: e.kind,
    points: e.points,
    balance: e.balance,
    cause: e.cause,
    hash: e.hash,
    seq: e.seq,
    ...(e.communityId === undefined ? {} : { communityId: e.communityId }),
    ...(e.allowanceCny ? { allowanceCny: e.allowanceCny } : {}),
    createdAt: new Date(e.createdAt).toISOString(),
  };
}

export function toFlag(f: FlagDoc): incentivesContract.Flag {
  return {
    flagId: f._id,
    kind: f.kind as incentivesContract.FlagKind,
    ...(f.incidentId ? { incidentId: f.incidentId } : {}),
    ...(f.participantId ? { participantId: f.participantId } : {}),
    ...(f.taskId ? { taskId: f.taskId } : {}),
    message: f.message,
    ...(f.details ? { details: f.details } : {}),
    raisedAt: new Date(f.raisedAt).toISOString(),
  };
}

/** How long the award endpoint waits for the service's own consumer to see a completion it is asked about. */
const COMPLETION_WAIT_MS = 3000;
/** Answers whether the completions consumer still has events to read (so an unseen task may yet arrive). */
export type BacklogProbe = () => Promise<number>;

type AwardRequest = RequestOf<typeof incentives.award>;
type ManualAwardRequest = RequestOf<typeof incentives.manualAward>;
type Task = personnelContract.Task & { severity?: Severity | undefined };

export type Awards = ReturnType<typeof createAwards>;

/**
 * Task awards come only from verified completions (the personnel `task-completed` event, recorded by the
 * consumer); the award endpoint settles a completion the service has seen, never one a caller describes.
 * Both paths credit the same cause, `task-completed:<taskId>`, so whichever comes first wins and the other
 * returns the first entry.
 */
export function createAwards(ctx: ServiceContext, rules: RuleTable, backlog: BacklogProbe) {
  const ledger = ledgerStore(ctx.db);
  const completions = completionModel(ctx.db);
  const assignments = assignmentModel(ctx.db);
  const incidents = incidentModel(ctx.db);
  const flags = flagModel(ctx.db);
  const audit = auditModel(ctx.db);

  /** Store and publish findings; a finding's id is deterministic, so a repeat raises it once. */
  async function raise(findings: readonly Finding[], about: { key: string; incidentId?: string | undefined; participantId?: string | undefined; taskId?: string | undefined }): Promise<void> {
    for (const f of findings) {
      const doc: FlagDoc = {
        _id: `${f.kind}:${about.key}`,
        kind: f.kind,
        ...(about.incidentId ? { incidentId: about.incidentId } : {}),
        ...(about.participantId ? { participantId: about.participantId } : {}),
        ...(about.taskId ? { taskId: about.taskId } : {}),
        message: f.message,
        details: f.details,
        raisedAt: new Date(),
      };
      const stored = await flags.create(doc).then(
        () => doc,
        async (err: unknown) => {
          if (!isDuplicateKey(err)) throw err;
          return (await flags.findById(doc._id).lean()) ?? doc;
        },
      );
      await ctx.events.publish(incentivesEvents.flagged, stored._id, toFlag(stored), stored.incidentId);
      ctx.log.warn({ flag: stored._id, kind: f.kind, incidentId: about.incidentId }, f.message);
    }
  }

  /** Severity last written per incident by this process, so repeated events do not rewrite it. */
  const knownSeverity = new Map<string, string | undefined>();
  async function noteIncident(incidentId: string, at: Date, severity?: string): Promise<void> {
    if (knownSeverity.has(incidentId) && (severity === undefined || knownSeverity.get(incidentId) === severity)) return;
    knownSeverity.set(incidentId, severity ?? knownSeverity.get(incidentId));
    try {
      await incidents.create({ _id: incidentId, firstSeenAt: at, ...(severity ? { severity } : {}) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if (severity) await incidents.updateOne({ _id: incidentId }, { $set: { severity } });
    }
  }

  /** A `task-assigned` event: the first assignment of a task starts the time its hours must fit in. */
  async function recordAssignment(task: Task, at: Date): Promise<void> {
    await noteIncident(task.incidentId, at, task.severity);
    await assignments.create({ _id: task.taskId, incidentId: task.incidentId, assignedAt: at }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  /**
   * A `task-completed` event: record the completion once (by task id). A second, different completion of the
   * same task (another owner or other hours) is flagged `duplicate-task` and never paid.
   */
  async function recordCompletion(task: Task, eventId: string, at: Date): Promise<CompletionDoc | null> {
    if (!task.ownerId || !task.hours || task.hours <= 0) return null;
    await noteIncident(task.incidentId, at, task.severity);
    const doc: CompletionDoc = {
      _id: task.taskId,
      incidentId: task.incidentId,
      communityId: task.communityId,
      ownerId: task.ownerId,
      role: task.role,
      ...(task.skill ? { skill: task.skill } : {}),
      hours: task.hours,
      drill: task.drill,
      ...(task.severity ? { severity: task.severity } : {}),
      completedAt: at,
      eventId,
    };
    try {
      await completions.create(doc);
      return doc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const first = (await completions.findById(task.taskId).lean())!;
    if (first.ownerId !== doc.ownerId || first.hours !== doc.hours) {
      await raise([{ kind: 'duplicate-task', message: `task ${task.taskId} was reported completed again with other facts`, details: { first: { ownerId: first.ownerId, hours: first.hours }, again: { ownerId: doc.ownerId, hours: doc.hours } } }], {
        key: `${task.taskId}:${eventId}`,
        incidentId: task.incidentId,
        participantId: doc.ownerId,
        taskId: task.taskId,
      });
    }
    return first;
  }

  /** The severity to pay a completion at: the event's, else the one a caller named for the incident. */
  async function severityOf(c: CompletionDoc): Promise<Severity | undefined> {
    if (c.severity) return Severity.parse(c.severity);
    const incident = await incidents.findById(c.incidentId).lean();
    return incident?.severity ? Severity.parse(incident.severity) : undefined;
  }

  /**
   * What the participant already earned and worked on `day`: from the head when its newest task award is of the
   * same day (or an earlier one: nothing yet), by reading the day's entries only for work reported out of order.
   */
  async function dayTotals(participantId: string, day: string, head: ChainHead): Promise<{ earnedToday: number; hoursToday: number }> {
    if (head.day === undefined || head.day < day) return { earnedToday: 0, hoursToday: 0 };
    if (head.day === day) return { earnedToday: head.dayEarned ?? 0, hoursToday: head.dayHours ?? 0 };
    const today = (await ledger.find({ participantId, day, kind: 'award' })).filter((e) => e.dayEarned !== undefined);
    return { earnedToday: today.reduce((n, e) => n + e.points, 0), hoursToday: today.reduce((n, e) => n + Number(e.basis?.hours ?? 0), 0) };
  }

  /** Credit a verified completion once: payable hours, rules, daily cap against the participant's own chain. */
  async function settle(c: CompletionDoc, severity: Severity, severitySource: string): Promise<AppendResult> {
    const assignment = await assignments.findById(c._id).lean();
    const work: VerifiedWork = { taskId: c._id, incidentId: c.incidentId, communityId: c.communityId, ownerId: c.ownerId, hours: c.hours, drill: c.drill, completedAt: new Date(c.completedAt), assignedAt: assignment?.assignedAt };
    const payable = payableHours(rules, work);
    const day = workDay(work.completedAt);
    const found: Finding[] = [...payable.findings];
    const result = await ledger.append(c.ownerId, causeKey({ kind: 'task-completed', taskId: c._id }), async (head) => {
      const { earnedToday, hoursToday } = await dayTotals(c.ownerId, day, head);
      found.splice(payable.findings.length, Infinity, ...dayFindings(hoursToday, payable.hours, day));
      const computed =
        payable.hours > 0
          ? pointsForTask(rules, { personType: c.role as Task['role'], severity, hours: payable.hours, taskKind: c.skill ?? c.role, drill: c.drill, earnedToday })
          : { participantType: 'resident-volunteer', points: 0, capped: false, rulesVersion: rules.version, allowanceCny: 0 };
      return {
        participantId: c.ownerId,
        kind: 'award',
        points: computed.points,
        cause: causeKey({ kind: 'task-completed', taskId: c._id }),
        incidentId: c.incidentId,
        communityId: c.communityId,
        day,
        dayEarned: earnedToday + computed.points,
        dayHours: hoursToday + payable.hours,
        ...(computed.allowanceCny ? { allowanceCny: computed.allowanceCny } : {}),
        idempotencyKey: `settle:${c._id}`,
        basis: { rulesVersion: computed.rulesVersion, participantType: computed.participantType, severity, severitySource, hours: payable.hours, reportedHours: c.hours, capped: computed.capped, drill: c.drill, earnedToday },
      };
    });
    if (result.created) await raise(found, { key: c._id, incidentId: c.incidentId, participantId: c.ownerId, taskId: c._id });
    const entry = toLedgerEntry(result.entry);
    // A repeat re-publishes the first entry under the same id, so JetStream drops it if the first publish landed.
    await ctx.events.publish(incentivesEvents.awarded, entry.entryId, entry, entry.incidentId);
    ctx.log.info({ participantId: entry.participantId, cause: entry.cause, points: entry.points, created: result.created }, result.created ? 'points awarded' : 'award repeated');
    return result;
  }

  /** Wait briefly for the consumer to record a completion the caller already knows about. */
  async function seenCompletion(taskId: string): Promise<CompletionDoc | null> {
    for (const started = Date.now(); ; await sleep(100)) {
      const c = await completions.findById(taskId).lean();
      if (c || Date.now() - started > COMPLETION_WAIT_MS) return c;
    }
  }

  /** The award endpoint: settle a completion the service has seen, for the owner who completed it. */
  async function award(req: AwardRequest): Promise<incentivesContract.LedgerEntry> {
    const taskId = req.cause.taskId;
    await noteIncident(req.incidentId, new Date(), req.severity);
    const c = await seenCompletion(taskId);
    if (!c) {
      const pending = await backlog();
      if (pending > 0) throw new LifelineError('unavailable', `task ${taskId} not seen completed yet; ${pending} personnel event(s) still to read`, { taskId, pending });
      await raise([{ kind: 'unverified-task', message: `award asked for task ${taskId}, which personnel never reported completed`, details: { claimed: req.participantId, hours: req.hours } }], {
        key: `${taskId}:${req.participantId}`,
        incidentId: req.incidentId,
        participantId: req.participantId,
        taskId,
      });
      throw new LifelineError('invalid_state', `task ${taskId} was never reported completed by personnel; nothing awarded`, { taskId });
    }
    const work = { taskId, incidentId: c.incidentId, communityId: c.communityId, ownerId: c.ownerId, hours: c.hours, drill: c.drill, completedAt: new Date(c.completedAt) };
    const { refuse, flag } = claimFindings(work, { incidentId: req.incidentId, participantId: req.participantId, communityId: req.communityId, hours: req.hours });
    const about = { key: `${taskId}:${req.idempotencyKey}`, incidentId: req.incidentId, participantId: req.participantId, taskId };
    if (refuse.length > 0) {
      await raise(refuse, about);
      const code = refuse.some((f) => f.kind === 'wrong-participant') ? 'conflict' : 'invalid_request';
      throw new LifelineError(code, refuse.map((f) => f.message).join('; '), { taskId, findings: refuse.map((f) => f.kind) });
    }
    await raise(flag, about);
    const { entry } = await settle(c, (await severityOf(c)) ?? req.severity, c.severity ? 'event' : 'award');
    return toLedgerEntry(entry);
  }

  /**
   * An operator's award outside the rules: needs a reason. The audit entry is written first, naming the ledger
   * entry by its deterministic id, so no manual entry exists without its audit entry.
   */
  async function manualAward(req: ManualAwardRequest): Promise<incentivesContract.LedgerEntry> {
    const cause = causes.manual(req.idempotencyKey);
    const at = new Date();
    const auditId = `manual-award:${req.idempotencyKey}`;
    await writeAudit({ _id: auditId, action: 'manual-award', operatorId: req.operatorId, reason: req.reason, participantId: req.participantId, ...(req.incidentId ? { incidentId: req.incidentId } : {}), entryId: entryIdFor('points', cause), points: req.points, at });
    const first = await audit.findById(auditId).lean();
    if (first && (first.participantId !== req.participantId || first.points !== req.points || first.operatorId !== req.operatorId)) {
      throw new LifelineError('conflict', 'idempotencyKey was already used for another manual award', { idempotencyKey: req.idempotencyKey, entryId: first.entryId });
    }
    const { entry, created } = await ledger.append(req.participantId, cause, {
      participantId: req.participantId,
      kind: 'award',
      points: req.points,
      cause,
      ...(req.incidentId ? { incidentId: req.incidentId } : {}),
      ...(req.communityId ? { communityId: req.communityId } : {}),
      day: workDay(at),
      idempotencyKey: req.idempotencyKey,
      basis: { manual: true, participantType: req.participantType, operatorId: req.operatorId, reason: req.reason },
    });
    const result = toLedgerEntry(entry);
    await ctx.events.publish(incentivesEvents.awarded, result.entryId, result, result.incidentId);
    ctx.log.info({ participantId: result.participantId, operatorId: req.operatorId, points: result.points, created }, 'manual award');
    return result;
  }

  async function writeAudit(doc: AuditDoc): Promise<void> {
    await audit.create(doc).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  return { recordAssignment, recordCompletion, severityOf, settle, award, manualAward, raise, writeAudit, ledger };
}
