import type { BroadcastOutcome, StepOf } from '@lifeline/contracts';
import { pollOptions } from '../activity-options';
import { uninterrupted, type CommunityRun } from '../community/run';
import { summaries } from '../domain/summaries';
import { commandsWith } from '../proxies';

type NotifyStep = StepOf<'notify'>;

/** The step's deadline from now, as the polls take it. */
export const deadlineOf = (step: NotifyStep) => new Date(Date.now() + step.deadlineSeconds * 1000).toISOString();

/** Start the step's broadcast to the community's audience on its channels (counted as one job of the community). */
export async function startBroadcast(run: CommunityRun, step: NotifyStep): Promise<BroadcastOutcome> {
  const { context, state } = run;
  const job = await uninterrupted(() =>
    run.commands.broadcast(summaries.broadcast(step.id, state, step.audience.groups, step.channels, context.drill), {
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
  return job;
}

const stillSending = (step: NotifyStep, job: BroadcastOutcome) => `broadcast still sending after ${step.deadlineSeconds}s (${job.sent}/${job.total} sent)`;

/** A job as last seen: past its deadline, the rule `escalate-severity` tells the incident (`ask-commander` is the caller's). */
export async function deadlineRule(run: CommunityRun, step: NotifyStep, job: BroadcastOutcome): Promise<void> {
  if (!job.completed && step.onDeadline === 'escalate-severity' && run.executesRule(step.onDeadline)) {
    await run.tellIncident(step.id, 'escalate-severity', stillSending(step, job));
  }
}

/** Count what the job reached in the community's figures, and note a job the deadline left sending. */
export function settleBroadcast(run: CommunityRun, step: NotifyStep, job: BroadcastOutcome): void {
  run.recordBroadcast(job);
  if (!job.completed) run.note(step.id, `${stillSending(step, job)}; rule: ${step.onDeadline}`);
}

/** Warn the step's audience on its channels; wait (polling) until the job is sent or the step's deadline passes. */
export async function notify(run: CommunityRun, step: NotifyStep) {
  const until = deadlineOf(step);
  const job = await startBroadcast(run, step);
  // Polling heartbeats and may run for the whole deadline, so it stays an activity through the server.
  const { awaitBroadcast } = commandsWith(pollOptions(step.deadlineSeconds));
  const waiting = summaries.awaitBroadcast(step.id, run.state.communityId, step.deadlineSeconds);
  let final = job.completed ? job : await awaitBroadcast(waiting, { jobId: job.jobId, until });
  await deadlineRule(run, step, final);
  // The commander may let it run for another deadline, once per decision.
  if (!final.completed && step.onDeadline === 'ask-commander' && run.executesRule(step.onDeadline) && (await run.askCommander(step.id, stillSending(step, final))) === 'keep-waiting') {
    final = await awaitBroadcast(waiting, { jobId: job.jobId, until: deadlineOf(step) });
  }
  settleBroadcast(run, step, final);
}
