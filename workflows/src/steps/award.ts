import type { StepOf } from '@lifeline/contracts';
import { uninterrupted, type CommunityRun } from '../community/run';
import { unlessCancelled } from '../activity-options';
import { summaries } from '../domain/summaries';

/** Credit points for every task completed and not yet awarded; the service computes the points, once per task. */
export async function award(run: CommunityRun, step: StepOf<'award'>) {
  const { context, state } = run;
  run.absorbProgress();
  for (const task of state.tasks.filter((t) => t.status === 'done' && !t.awarded)) {
    const { ownerId, hours } = task;
    if (!ownerId || !hours || hours <= 0) {
      run.note(step.id, `task ${task.taskId} completed without an owner or hours; no points`);
      continue;
    }
    try {
      const entry = await uninterrupted(() =>
        run.commands.awardPoints(summaries.award(step.id, task.taskId, task.role, Math.min(hours, 72), state.communityId), {
          idempotencyKey: run.key(step.id, task.taskId),
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
      run.note(step.id, `award for task ${task.taskId} refused (${unlessCancelled(err)})`);
    }
  }
}
