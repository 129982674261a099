import { proxyActivities } from '@temporalio/workflow';
import type { StepOf } from '@lifeline/contracts';
import type { Activities } from '../activities';
import { pollOptions } from '../activity-options';
import { uninterrupted, type CommunityRun } from '../community/run';

/** Warn the step's audience on its channels; wait (polling) until the job is sent or the step's deadline passes. */
export async function notify(run: CommunityRun, step: StepOf<'notify'>) {
  const { context, state } = run;
  const until = new Date(Date.now() + step.deadlineSeconds * 1000).toISOString();
  const job = await uninterrupted(() =>
    run.commands.broadcast({
      idempotencyKey: run.key(step.id),
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
  // Polling heartbeats and may run for the whole deadline, so it stays an activity through the server.
  const { awaitBroadcast } = proxyActivities<Activities>(pollOptions(step.deadlineSeconds));
  let final = job.completed ? job : await awaitBroadcast({ jobId: job.jobId, until });
  if (!final.completed && run.executesRule(step.onDeadline)) {
    const detail = `broadcast still sending after ${step.deadlineSeconds}s (${final.sent}/${final.total} sent)`;
    if (step.onDeadline === 'escalate-severity') await run.tellIncident(step.id, 'escalate-severity', detail);
    // The commander may let it run for another deadline, once per decision.
    if (step.onDeadline === 'ask-commander' && (await run.askCommander(step.id, detail)) === 'keep-waiting') {
      final = await awaitBroadcast({ jobId: job.jobId, until: new Date(Date.now() + step.deadlineSeconds * 1000).toISOString() });
    }
  }
  run.recordBroadcast(final);
  if (!final.completed) run.note(step.id, `broadcast still sending after ${step.deadlineSeconds}s (${final.sent}/${final.total} sent); rule: ${step.onDeadline}`);
}
