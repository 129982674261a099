import { condition } from '@temporalio/workflow';
import type { StepOf, TaskRecord } from '@lifeline/contracts';
import { uninterrupted, type CommunityRun } from '../community/run';
import { gateIdFor, onMissedAck } from '../domain/deadlines';
import { summaries } from '../domain/summaries';

/**
 * Give the step's task one named owner, wait for the acknowledgement (applying the deadline rule when it is missed:
 * page backups, escalate the incident, or ask the commander), then for the report that it is done.
 */
export async function dispatch(run: CommunityRun, step: StepOf<'dispatch'>) {
  const { context, state, progress, decisions } = run;
  const assigned = await uninterrupted(() =>
    run.commands.dispatchResponder(summaries.dispatch(step.id, step.role, step.skill, state.communityId, step.ackDeadlineSeconds), {
      idempotencyKey: run.key(step.id),
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
  const ackDeadline = (backup: number) => ({ summary: summaries.ackDeadline(step.id, step.ackDeadlineSeconds, task.taskId, state.communityId, backup) });

  let acked = await condition(acknowledged, ackWindow, ackDeadline(0));
  // The deadline rule (domain/deadlines.ts).
  const rule = run.executesRule(step.onDeadline) ? step.onDeadline : 'continue';
  let fallbacksUsed = 0;
  let escalated = false;
  const missed = `not acknowledged within ${step.ackDeadlineSeconds}s`;
  while (!acked) {
    const action = onMissedAck({ rule, fallbacksUsed, maxFallbacks: step.maxFallbacks, escalated, decision: decisions.get(gateIdFor(context.phase, step.id)) });
    if (action === 'give-up') break;
    if (action === 'escalate') {
      escalated = true;
      await run.tellIncident(step.id, 'escalate-severity', `${step.role} ${missed}`);
    } else if (action === 'ask-commander') {
      await run.askCommander(step.id, `${step.role} ${missed}`, acknowledged);
      acked = acknowledged();
    } else {
      const attempt = ++fallbacksUsed;
      const moved = await uninterrupted(() =>
        run.commands.fallbackResponder(summaries.fallback(step.id, attempt, step.role, task.taskId, state.communityId), { idempotencyKey: run.key(step.id, 'fallback', attempt), taskId: task.taskId, reason: missed }),
      );
      task.ownerId = moved.ownerId;
      state.figures.personnel.fallbacks++;
      acked = await condition(acknowledged, ackWindow, ackDeadline(attempt));
    }
  }
  if (!acked) {
    task.status = 'missed';
    state.figures.personnel.missed++;
    return run.note(step.id, `missed acknowledgement: nobody acknowledged within ${step.ackDeadlineSeconds}s after ${fallbacksUsed} fallback(s) (rule: ${step.onDeadline})`);
  }
  task.status = 'acknowledged';
  task.ownerId = progress.get(task.taskId)?.ownerId ?? task.ownerId;
  state.figures.personnel.acknowledged++;

  const done = await condition(() => progress.get(task.taskId)?.status === 'done', step.completionDeadlineSeconds * 1000, {
    summary: summaries.completionDeadline(step.id, step.completionDeadlineSeconds, task.taskId, state.communityId),
  });
  if (!done) {
    task.status = 'incomplete';
    return run.note(step.id, `not reported done within ${step.completionDeadlineSeconds}s`);
  }
  const report = progress.get(task.taskId);
  Object.assign(task, { status: 'done', ownerId: report?.ownerId ?? task.ownerId, hours: report?.hours });
  state.figures.personnel.done++;
}
