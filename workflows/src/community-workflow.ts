import { isCancellation } from '@temporalio/workflow';
import { uninterrupted, startCommunityRun, throwIfStandingDown } from './community/run';
import { standDown } from './community/stand-down';
import { unlessCancelled } from './activity-options';
import { appliesAt } from './domain/segments';
import type { CommunityPhaseInput, CommunityState } from './domain/state';
import { runStep } from './steps';
import { closeSites } from './steps/open-site';

/**
 * One community, one phase: runs the phase's community steps in plan order (each kind's runner in steps/) and
 * returns the state the next phase needs (reservation ids, tasks, figures, notes). Id
 * `incident-<id>/community-<c>`, one run per phase. A stand-down cancels the run: it stops where it is and still
 * returns its state, so the incident can undo it.
 */
export async function communityPhaseWorkflow(input: CommunityPhaseInput): Promise<CommunityState> {
  const run = startCommunityRun(input);
  const { context, state } = run;
  if (context.mode === 'stand-down') {
    await standDown(run);
    return state;
  }
  try {
    for (const step of input.steps) {
      throwIfStandingDown();
      if (!appliesAt(step, context.severity)) continue;
      try {
        await runStep(run, step);
      } catch (err) {
        // A refused or failed step is a finding for the review, never a crashed community.
        run.note(step.id, `failed (${unlessCancelled(err)})`);
      }
    }
    // Sites stay open until the incident's recover phase is over (a stand-down closes them in its compensation).
    if (context.phase === 'recover') await uninterrupted(() => closeSites(run, 'close-sites', 'recover'));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    run.note('stand-down', `interrupted in ${context.phase} by a stand-down`, 'stand-down');
  }
  run.absorbProgress();
  state.lastPhase = context.phase;
  return state;
}
