import { CancellationScope, executeChild, isCancellation } from '@temporalio/workflow';
import type { BroadcastOutcome, PlanStep, StepOf } from '@lifeline/contracts';
import { workflowIds } from '@lifeline/contracts/inbound';
import { childSearchAttributes } from './child-options';
import { communityPhaseWorkflow } from './community-workflow';
import { communityRun, copyOf, throwIfStandingDown, type CommunityRun } from './community/run';
import { failureReason, localCommandOptions, pollOptions, unlessCancelled } from './activity-options';
import { COMMUNITIES_IN_FLIGHT, forEachBounded } from './fan-out';
import { leadingWarnings } from './domain/segments';
import { summaries } from './domain/summaries';
import { commandsWith, localCommandsWith } from './proxies';
import type { CommunityState, DistrictPhaseInput } from './domain/state';
import { deadlineOf, deadlineRule, settleBroadcast, startBroadcast } from './steps/notify';
import { award } from './steps/award';
import { reserve } from './steps/reserve';

/**
 * One district, one phase (or one run of community steps within a phase): fans the steps out to a
 * `communityPhaseWorkflow` per community, at most COMMUNITIES_IN_FLIGHT at a time, and returns every
 * community's state in input order. Id `incident-<id>/district-<d>`.
 *
 * With `stepsHere` (patch `district-steps`) the district runs all the steps itself for every community, and starts
 * no community run: the incident gives it a segment's leading notify and reserve steps. In warn with `warnHere`
 * (patch `district-warns`, runs recorded before), it first runs the leading notify steps itself, and only the steps
 * after them go to community runs.
 *
 * On a stand-down, communities not yet started keep the state they came in with, and running ones return
 * what they hold, so the incident can compensate for everything.
 */
export async function districtPhaseWorkflow(input: DistrictPhaseInput): Promise<CommunityState[]> {
  const { context } = input;
  const results = [...input.communities];
  if (input.stepsHere) {
    await runHere(input, input.steps, results);
    return results;
  }
  const warnings = input.warnHere ? leadingWarnings(input.steps) : [];
  if (warnings.length > 0) await runHere(input, warnings, results);
  const steps = input.steps.slice(warnings.length);
  if (warnings.length > 0 && steps.length === 0) return results;
  await forEachBounded(results, COMMUNITIES_IN_FLIGHT, async (community, index) => {
    try {
      results[index] = await executeChild(communityPhaseWorkflow, {
        workflowId: workflowIds.community(context.incidentId, community.communityId),
        args: [{ context, steps, state: community }],
        typedSearchAttributes: childSearchAttributes(context, input.districtId),
        staticSummary: `${context.mode === 'stand-down' ? 'stand-down' : context.phase} · community ${community.communityId}`,
      });
    } catch (err) {
      if (isCancellation(err)) return;
      // A community that failed outright is a finding; its carried state still lets the incident compensate.
      results[index] = { ...community, notes: [...community.notes, { phase: context.phase, stepId: 'community', note: `community run failed (${failureReason(err)})` }] };
    }
  });
  return results;
}

/**
 * Steps run here for each community as its own run would: the same commands with the same idempotency keys (the
 * community workflow's id + step id), the same figures and notes in its state. Step by step over every community; a
 * notify step's broadcasts are polled together (`awaitBroadcasts`) instead of one poll per community. Measured on the
 * 1,000-community city: a community run per community and phase costs the worker and Temporal a child start, several
 * workflow tasks and a completion each, on 2 cores that also send the messages.
 */
async function runHere(input: DistrictPhaseInput, steps: PlanStep[], results: CommunityState[]) {
  const { context } = input;
  const commands = localCommandsWith(localCommandOptions);
  const runs = input.communities.map((c) => communityRun(context, copyOf(c), workflowIds.community(context.incidentId, c.communityId), commands));
  try {
    for (const step of steps) {
      throwIfStandingDown();
      if (step.kind === 'notify') await warnOnce(input.districtId, runs, step);
      else if (step.kind === 'reserve') await forEachCommunity(runs, step, reserve);
      else if (step.kind === 'award') await forEachCommunity(runs, step, award);
      else for (const run of runs) run.note(step.id, `step kind "${step.kind}" does not run in a district; skipped`);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    for (const run of runs) run.note('stand-down', `interrupted in ${context.phase} by a stand-down`, 'stand-down');
  }
  runs.forEach((run, index) => {
    run.state.lastPhase = context.phase;
    results[index] = run.state;
  });
}

/**
 * One reserve step (reserve, issue or return) or award step for every community, as its community run would run it.
 * Every lane finishes the command it sent before the district returns (a stand-down starts no new one), so every
 * reservation made is in the state the incident compensates from.
 */
async function forEachCommunity<S extends StepOf<'reserve'> | StepOf<'award'>>(runs: CommunityRun[], step: S, runStep: (run: CommunityRun, step: S) => Promise<void>) {
  await forEachBounded(runs, COMMUNITIES_IN_FLIGHT, async (run) => {
    if (CancellationScope.current().consideredCancelled) return;
    try {
      await runStep(run, step);
    } catch (err) {
      // A refused or failed step is a finding for the review, never a failed district.
      if (!isCancellation(err)) run.note(step.id, `failed (${failureReason(err)})`);
    }
  });
}

/** One notify step for every community of the district: start each broadcast, poll the open ones together, settle. */
async function warnOnce(districtId: string, runs: CommunityRun[], step: StepOf<'notify'>) {
  const until = deadlineOf(step);
  const jobs = new Map<CommunityRun, BroadcastOutcome>();
  await forEachBounded(runs, COMMUNITIES_IN_FLIGHT, async (run) => {
    try {
      jobs.set(run, await startBroadcast(run, step));
    } catch (err) {
      run.note(step.id, `failed (${unlessCancelled(err)})`);
    }
  });
  const sending = [...jobs.values()].filter((j) => !j.completed).map((j) => j.jobId);
  if (sending.length > 0) {
    const { awaitBroadcasts } = commandsWith(pollOptions(step.deadlineSeconds));
    try {
      const polled = await awaitBroadcasts(summaries.awaitBroadcasts(step.id, districtId, sending.length, step.deadlineSeconds), { jobIds: sending, until });
      const seen = new Map(polled.jobs.map((j) => [j.jobId, j]));
      for (const [run, job] of jobs) jobs.set(run, seen.get(job.jobId) ?? job);
    } catch (err) {
      // As a community run whose poll failed: a note, and nothing counted.
      const reason = unlessCancelled(err);
      for (const [run, job] of [...jobs]) {
        if (job.completed) continue;
        run.note(step.id, `failed (${reason})`);
        jobs.delete(run);
      }
    }
  }
  for (const [run, job] of jobs) {
    await deadlineRule(run, step, job);
    settleBroadcast(run, step, job);
  }
}
