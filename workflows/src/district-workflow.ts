import { executeChild, isCancellation } from '@temporalio/workflow';
import { workflowIds } from '@lifeline/contracts';
import { childSearchAttributes } from './child-options';
import { communityPhaseWorkflow } from './community-workflow';
import { failureReason } from './activity-options';
import { COMMUNITIES_IN_FLIGHT, forEachBounded } from './fan-out';
import type { CommunityState, DistrictPhaseInput } from './domain/state';

/**
 * One district, one phase (or one run of community steps within a phase): fans the steps out to a
 * `communityPhaseWorkflow` per community, at most COMMUNITIES_IN_FLIGHT at a time, and returns every
 * community's state in input order. Id `incident-<id>/district-<d>`.
 *
 * On a stand-down, communities not yet started keep the state they came in with, and running ones return
 * what they hold, so the incident can compensate for everything.
 */
export async function districtPhaseWorkflow(input: DistrictPhaseInput): Promise<CommunityState[]> {
  const { context } = input;
  const results = [...input.communities];
  await forEachBounded(input.communities, COMMUNITIES_IN_FLIGHT, async (community, index) => {
    try {
      results[index] = await executeChild(communityPhaseWorkflow, {
        workflowId: workflowIds.community(context.incidentId, community.communityId),
        args: [{ context, steps: input.steps, state: community }],
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
