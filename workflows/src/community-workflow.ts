import {
  CancellationScope,
  CancelledFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { GateDecisionSignal, TaskSignal, workflowIds, type DeadlineSignal, type Phase, type PlanStep, type StepOf } from '@lifeline/contracts';
import type { Activities, BroadcastOutcome } from './activities';
import { commandOptions, pollOptions, unlessCancelled } from './activity-options';
import { deadlinePassedSignal, gateDecisionSignal, PATCHES, taskProgressSignal } from './messages';
import { gateIdFor, onMissedAck } from './domain/deadlines';
import { idempotencyKey } from './domain/keys';
import { reserveQuantities } from './domain/quantities';
import { appliesAt } from './domain/segments';
import type { CommunityPhaseInput, CommunityState, TaskRecord } from './domain/state';

const services = proxyActivities<Activities>(commandOptions);

/** A command already sent must finish and be recorded even during a stand-down, or its effect could not be undone. */
const uninterrupted = <T>(fn: () => Promise<T>) => CancellationScope.nonCancellable(fn);

const throwIfStandingDown = () => {
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('stand-down');
};

/** Words residents receive when an incident is stood down. */
const ALL_CLEAR = {
  zh: '【社区应急】应急响应已解除，感谢各位居民配合。如有需要请联系社区。',
  en: '[Community emergency] The emergency response has been stood down. Thank you. Contact your community if you need help.',
};

/**
 * One community, one phase: runs the phase's community steps in plan order and returns the state the next
 * phase needs (reservation ids, tasks, figures, notes). Id `incident-<id>/community-<c>`, one run per phase.
 * A stand-down cancels the run: it stops where it is and still returns its state, so the incident can undo it.
 */
export async function communityPhaseWorkflow(input: CommunityPhaseInput): Promise<CommunityState> {
  const { context } = input;
  // A deep copy: the input is history, the state is ours to change.
  const state: CommunityState = JSON.parse(JSON.stringify(input.state)) as CommunityState;
  const workflowId = workflowInfo().workflowId;
  const key = (stepId: string, ...suffix: (string | number)[]) => idempotencyKey(workflowId, stepId, ...suffix);
  const note = (stepId: string, text: string, phase: Phase | 'stand-down' = context.phase) => state.notes.push({ phase, stepId, note: text });

  /** Progress by task id; a signal may arrive before the dispatch activity has even returned the task. */
  const progress = new Map<string, TaskSignal>();
  setHandler(taskProgressSignal, (raw) => {
    const parsed = TaskSignal.safeParse(raw);
    if (!parsed.success) {
      log.warn('ignoring a malformed taskProgress signal', { issues: parsed.error.issues.length });
      return;
    }
    const seen = progress.get(parsed.data.taskId);
    if (seen?.status !== 'done') progress.set(parsed.data.taskId, parsed.data);
  });

  /** The commander's decisions on this incident's gates, handed down by the incident. */
  const decisions = new Map<string, string>();
  setHandler(gateDecisionSignal, (raw) => {
    const parsed = GateDecisionSignal.safeParse(raw);
    if (parsed.success) decisions.set(parsed.data.gateId, parsed.data.decision);
  });

  /**
   * The rules `escalate-severity` and `ask-commander` act at the incident; runs recorded before they were executed
   * only noted the missed deadline, and must replay doing the same (patch `deadline-rules`).
   */
  const executesRule = (rule: string) => (rule === 'escalate-severity' || rule === 'ask-commander' ? patched(PATCHES.deadlineRules) : true);
  const tellIncident = (stepId: string, rule: DeadlineSignal['rule'], detail: string) =>
    uninterrupted(() =>
      getExternalWorkflowHandle(workflowIds.incident(context.incidentId)).signal(deadlinePassedSignal, { communityId: state.communityId, phase: context.phase, stepId, rule, detail }),
    );
  /** Ask the commander (through the incident) and wait for the decision, or until `unlessFirst` comes true. */
  async function askCommander(stepId: string, detail: string, unlessFirst: () => boolean = () => false): Promise<string | undefined> {
    const gateId = gateIdFor(context.phase, stepId);
    if (!decisions.has(gateId)) await tellIncident(stepId, 'ask-commander', detail);
    await condition(() => decisions.has(gateId) || unlessFirst());
    return decisions.get(gateId);
  }

  /** Late completions (a task finished after its phase ended) reach the next phase's run under the same id. */
  const absorbProgress = () => {
    for (const task of state.tasks) {
      const signal = progress.get(task.taskId);
      if (signal?.status === 'done' && task.status !== 'done' && task.status !== 'stood-down') {
        if (task.status !== 'acknowledged') state.figures.personnel.acknowledged++;
        Object.assign(task, { status: 'done', ownerId: signal.ownerId, hours: signal.hours });
        state.figures.personnel.done++;
      }
    }
  };

  const recordBroadcast = (job: BroadcastOutcome) => {
    state.figures.notification.total += job.total;
    state.figures.notification.sent += job.sent;
  };

  async function notify(step: StepOf<'notify'>) {
    const until = new Date(Date.now() + step.deadlineSeconds * 1000).toISOString();
    const job: BroadcastOutcome = await uninterrupted(() =>
      services.broadcast({
        idempotencyKey: key(step.id),
        incidentId: context.incidentId,
        stepId: step.id,
        communityId: state.communityId,
        audience: step.audience,
        channels: step.channels,
        message: step.message,
        severity: context.severity,
        drill: context.drill,
      }),
    );
    state.figures.notification.jobs++;
    const { awaitBroadcast } = proxyActivities<Activities>(pollOptions(step.deadlineSeconds));
    let final = job.completed ? job : await awaitBroadcast({ jobId: job.jobId, until });
    if (!final.completed && executesRule(step.onDeadline)) {
      const detail = `broadcast still sending after ${step.deadlineSeconds}s (${final.sent}/${final.total} sent)`;
      if (step.onDeadline === 'escalate-severity') await tellIncident(step.id, 'escalate-severity', detail);
      // The commander may let it run for another deadline, once per decision.
      if (step.onDeadline === 'ask-commander' && (await askCommander(step.id, detail)) === 'keep-waiting') {
        final = await awaitBroadcast({ jobId: job.jobId, until: new Date(Date.now() + step.deadlineSeconds * 1000).toISOString() });
      }
    }
    recordBroadcast(final);
    if (!final.completed) note(step.id, `broadcast still sending after ${step.deadlineSeconds}s (${final.sent}/${final.total} sent); rule: ${step.onDeadline}`);
  }

  async function reserve(step: StepOf<'reserve'>) {
    if (step.action === 'reserve') {
      const lines = reserveQuantities(step.items, state.population, context.severity, context.severityScaling);
      if (lines.length === 0) return note(step.id, 'nothing to reserve at this population and severity');
      const r = await uninterrupted(() =>
        services.reserveSupplies({ idempotencyKey: key(step.id), incidentId: context.incidentId, communityId: state.communityId, lines, drill: context.drill }),
      );
      state.reservations.push({ stepId: step.id, reservationId: r.reservationId, status: r.status, units: r.units });
      state.figures.supplies.reserved += r.units;
      state.figures.supplies.shortfall += r.shortfall;
      if (r.shortfall > 0) note(step.id, `short by ${r.shortfall} unit(s)`);
      return;
    }
    // issue hands out what mobilize reserved; return brings back what respond issued: one reservation, three moments.
    const from = step.action === 'issue' ? 'reserved' : 'issued';
    const pending = state.reservations.filter((r) => r.status === from);
    if (pending.length === 0) return note(step.id, `no ${from} supplies to ${step.action}`);
    for (const reservation of pending) {
      const body = { idempotencyKey: key(step.id, reservation.stepId), reservationId: reservation.reservationId, reason: step.title.en };
      const r = await uninterrupted(() => (step.action === 'issue' ? services.issueSupplies(body) : services.returnSupplies(body)));
      reservation.status = r.status;
      if (step.action === 'issue') state.figures.supplies.issued += reservation.units;
      else state.figures.supplies.returned += reservation.units;
    }
  }

  async function dispatch(step: StepOf<'dispatch'>) {
    const assigned = await uninterrupted(() =>
      services.dispatchResponder({
        idempotencyKey: key(step.id),
        incidentId: context.incidentId,
        communityId: state.communityId,
        stepId: step.id,
        role: step.role,
        skill: step.skill,
        task: step.task,
        severity: context.severity,
        drill: context.drill,
      }),
    );
    const task: TaskRecord = { stepId: step.id, taskId: assigned.taskId, role: step.role, ownerId: assigned.ownerId, status: 'assigned', awarded: false };
    state.tasks.push(task);
    state.figures.personnel.tasks++;
    const acknowledged = () => progress.has(task.taskId);
    const ackWindow = step.ackDeadlineSeconds * 1000;

    let acked = await condition(acknowledged, ackWindow);
    // The deadline rule (domain/deadlines.ts): page backups, escalate the incident, or ask the commander.
    const rule = executesRule(step.onDeadline) ? step.onDeadline : 'continue';
    let fallbacksUsed = 0;
    let escalated = false;
    const missed = `not acknowledged within ${step.ackDeadlineSeconds}s`;
    while (!acked) {
      const action = onMissedAck({ rule, fallbacksUsed, maxFallbacks: step.maxFallbacks, escalated, decision: decisions.get(gateIdFor(context.phase, step.id)) });
      if (action === 'give-up') break;
      if (action === 'escalate') {
        escalated = true;
        await tellIncident(step.id, 'escalate-severity', `${step.role} ${missed}`);
      } else if (action === 'ask-commander') {
        await askCommander(step.id, `${step.role} ${missed}`, acknowledged);
        acked = acknowledged();
      } else {
        const attempt = ++fallbacksUsed;
        const moved = await uninterrupted(() => services.fallbackResponder({ idempotencyKey: key(step.id, 'fallback', attempt), taskId: task.taskId, reason: missed }));
        task.ownerId = moved.ownerId;
        state.figures.personnel.fallbacks++;
        acked = await condition(acknowledged, ackWindow);
      }
    }
    if (!acked) {
      task.status = 'missed';
      state.figures.personnel.missed++;
      return note(step.id, `missed acknowledgement: nobody acknowledged within ${step.ackDeadlineSeconds}s after ${fallbacksUsed} fallback(s) (rule: ${step.onDeadline})`);
    }
    task.status = 'acknowledged';
    task.ownerId = progress.get(task.taskId)?.ownerId ?? task.ownerId;
    state.figures.personnel.acknowledged++;

    const done = await condition(() => progress.get(task.taskId)?.status === 'done', step.completionDeadlineSeconds * 1000);
    if (!done) {
      task.status = 'incomplete';
      return note(step.id, `not reported done within ${step.completionDeadlineSeconds}s`);
    }
    const report = progress.get(task.taskId);
    Object.assign(task, { status: 'done', ownerId: report?.ownerId ?? task.ownerId, hours: report?.hours });
    state.figures.personnel.done++;
  }

  async function award(step: StepOf<'award'>) {
    absorbProgress();
    for (const task of state.tasks.filter((t) => t.status === 'done' && !t.awarded)) {
      const { ownerId, hours } = task;
      if (!ownerId || !hours || hours <= 0) {
        note(step.id, `task ${task.taskId} completed without an owner or hours; no points`);
        continue;
      }
      try {
        const entry = await uninterrupted(() =>
          services.awardPoints({
            idempotencyKey: key(step.id, task.taskId),
            incidentId: context.incidentId,
            severity: context.severity,
            cause: { kind: 'task-completed', taskId: task.taskId },
            participantId: ownerId,
            personType: task.role,
            hours: Math.min(hours, 72),
          }),
        );
        task.awarded = true;
        state.figures.incentives.awards++;
        state.figures.incentives.points += entry.points;
      } catch (err) {
        note(step.id, `award for task ${task.taskId} refused (${unlessCancelled(err)})`);
      }
    }
  }

  async function openSite(step: StepOf<'open-site'>) {
    const places = Math.ceil(state.population * step.capacityShare);
    // Runs recorded before supplies managed sites only noted the step (patch `open-site`).
    if (!patched(PATCHES.openSite)) {
      return note(step.id, `not executed: no service manages shelters or gathering sites yet (${step.siteKinds.join(', ')} for ${places} people); open them by hand`);
    }
    const opened = await uninterrupted(() =>
      services.openSites({ idempotencyKey: key(step.id), incidentId: context.incidentId, communityId: state.communityId, siteKinds: step.siteKinds, capacity: places, drill: context.drill }),
    );
    (state.sites ??= []).push({ stepId: step.id, siteIds: opened.siteIds, capacity: opened.capacity, shortfall: opened.shortfall, status: 'open' });
    if (opened.shortfall > 0) note(step.id, `sites short by ${opened.shortfall} place(s): ${opened.capacity} of ${places} found (${step.siteKinds.join(', ')})`);
  }

  /** Close what the open-site steps opened (recover's end, or the stand-down); a failure is noted and the rest goes on. */
  async function closeSites(stepId: string, phase: Phase | 'stand-down') {
    for (const record of (state.sites ?? []).filter((s) => s.status === 'open')) {
      try {
        // At most 100 sites a command (the contract's limit); the first chunk keeps the key runs have always used.
        for (let at = 0; at < record.siteIds.length; at += 100) {
          const chunkKey = at === 0 ? key(stepId, record.stepId) : key(stepId, record.stepId, at / 100);
          await services.closeSites({ idempotencyKey: chunkKey, incidentId: context.incidentId, communityId: state.communityId, siteIds: record.siteIds.slice(at, at + 100) });
        }
        record.status = 'closed';
      } catch (err) {
        note(stepId, `could not close the sites opened by ${record.stepId} (${unlessCancelled(err)})`, phase);
      }
    }
  }

  async function runStep(step: PlanStep) {
    switch (step.kind) {
      case 'notify':
        return notify(step);
      case 'reserve':
        return reserve(step);
      case 'dispatch':
        return dispatch(step);
      case 'award':
        return award(step);
      case 'open-site':
        return openSite(step);
      default:
        return note(step.id, `step kind "${step.kind}" does not run per community; skipped`);
    }
  }

  /** Undo what this community still holds: release reserved stock, return issued stock, tell residents it is over. */
  async function standDown() {
    for (const reservation of state.reservations) {
      const body = { idempotencyKey: key('stand-down', reservation.stepId), reservationId: reservation.reservationId, reason: 'incident stood down' };
      try {
        if (reservation.status === 'reserved') {
          reservation.status = (await services.releaseSupplies(body)).status;
        } else if (reservation.status === 'issued') {
          reservation.status = (await services.returnSupplies(body)).status;
          state.figures.supplies.returned += reservation.units;
        }
      } catch (err) {
        note('stand-down', `could not undo reservation from ${reservation.stepId} (${unlessCancelled(err)})`, 'stand-down');
      }
    }
    for (const task of state.tasks) if (task.status === 'assigned' || task.status === 'acknowledged') task.status = 'stood-down';
    await closeSites('stand-down-close-sites', 'stand-down');
    const stepId = 'stand-down-all-clear';
    try {
      const job = await services.broadcast({
        idempotencyKey: key(stepId),
        incidentId: context.incidentId,
        stepId,
        communityId: state.communityId,
        audience: { groups: ['everyone'] },
        channels: ['sms', 'app-push'],
        message: ALL_CLEAR,
        severity: context.severity,
        drill: context.drill,
      });
      state.figures.notification.jobs++;
      recordBroadcast(job);
    } catch (err) {
      note(stepId, `all-clear broadcast failed (${unlessCancelled(err)})`, 'stand-down');
    }
  }

  if (context.mode === 'stand-down') {
    await standDown();
    return state;
  }
  try {
    for (const step of input.steps) {
      throwIfStandingDown();
      if (!appliesAt(step, context.severity)) continue;
      try {
        await runStep(step);
      } catch (err) {
        // A refused or failed step is a finding for the review, never a crashed community.
        note(step.id, `failed (${unlessCancelled(err)})`);
      }
    }
    // Sites stay open until the incident's recover phase is over (a stand-down closes them in its compensation).
    if (context.phase === 'recover') await uninterrupted(() => closeSites('close-sites', 'recover'));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    note('stand-down', `interrupted in ${context.phase} by a stand-down`, 'stand-down');
  }
  absorbProgress();
  state.lastPhase = context.phase;
  return state;
}
