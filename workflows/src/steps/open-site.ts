import { patched } from '@temporalio/workflow';
import type { Phase, StepOf } from '@lifeline/contracts';
import { unlessCancelled } from '../activity-options';
import { uninterrupted, type CommunityRun } from '../community/run';
import { sitePlaces } from '../domain/quantities';
import { summaries } from '../domain/summaries';
import { PATCHES } from '../messages';

/** Open the community's sites of the step's kinds until they hold the step's share of its population. */
export async function openSite(run: CommunityRun, step: StepOf<'open-site'>) {
  const { context, state } = run;
  const places = sitePlaces(state.population, step.capacityShare);
  // Runs recorded before supplies managed sites only noted the step (patch `open-site`).
  if (!patched(PATCHES.openSite)) {
    return run.note(step.id, `not executed: no service manages shelters or gathering sites yet (${step.siteKinds.join(', ')} for ${places} people); open them by hand`);
  }
  const opened = await uninterrupted(() =>
    run.commands.openSites(summaries.openSites(step.id, step.siteKinds, places, state.communityId), { idempotencyKey: run.key(step.id), stepId: step.id, incidentId: context.incidentId, communityId: state.communityId, siteKinds: step.siteKinds, capacity: places, drill: context.drill }),
  );
  (state.sites ??= []).push({ stepId: step.id, siteIds: opened.siteIds, capacity: opened.capacity, shortfall: opened.shortfall, status: 'open' });
  if (opened.shortfall > 0) run.note(step.id, `sites short by ${opened.shortfall} place(s): ${opened.capacity} of ${places} found (${step.siteKinds.join(', ')})`);
}

/** Close what the open-site steps opened (recover's end, or the stand-down); a failure is noted and the rest goes on. */
export async function closeSites(run: CommunityRun, stepId: string, phase: Phase | 'stand-down') {
  const { context, state } = run;
  for (const record of (state.sites ?? []).filter((s) => s.status === 'open')) {
    try {
      // At most 100 sites a command (the contract's limit); the first chunk keeps the key runs have always used.
      for (let at = 0; at < record.siteIds.length; at += 100) {
        const chunkKey = at === 0 ? run.key(stepId, record.stepId) : run.key(stepId, record.stepId, at / 100);
        const siteIds = record.siteIds.slice(at, at + 100);
        await run.commands.closeSites(summaries.closeSites(stepId, siteIds.length, record.stepId, state.communityId), { idempotencyKey: chunkKey, incidentId: context.incidentId, communityId: state.communityId, siteIds });
      }
      record.status = 'closed';
    } catch (err) {
      run.note(stepId, `could not close the sites opened by ${record.stepId} (${unlessCancelled(err)})`, phase);
    }
  }
}
