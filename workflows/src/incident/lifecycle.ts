/** How an incident begins (its area resolved) and ends (compensated, readiness, review, closed). Workflow-safe. */
import { ApplicationFailure, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { commandOptions, failureReason, localCommandOptions } from '../activity-options';
import { commandsWith, localCommandsWith } from '../proxies';
import { PATCHES, searchAttributes } from '../messages';
import { drillReadiness, type SpanFinding } from '../domain/readiness';
import { idempotencyKey } from '../domain/keys';
import { computeReview } from '../domain/review';
import { summaries } from '../domain/summaries';
import { newCommunityState } from '../domain/state';
import { fanOut } from './phases';
import type { Incident } from './state';

const services = commandsWith(commandOptions);
const localServices = localCommandsWith(localCommandOptions);

/** Mark the incident's run with what administrators filter on, and record the activation. */
export function activate(inc: Incident) {
  const { input } = inc;
  // Asked here, in the first workflow task, not where the warn fans out: a replay may resolve the area's local
  // activity in an earlier workflow task than the original run did (a status query in between splits it), and a
  // patch asked after it would then not see its marker.
  inc.districtWarns = patched(PATCHES.districtWarns);
  inc.districtSteps = patched(PATCHES.districtSteps);
  inc.districtAwards = inc.districtSteps && patched(PATCHES.districtAwards);
  upsertSearchAttributes([
    { key: searchAttributes.incidentId, value: input.incidentId },
    { key: searchAttributes.planId, value: input.plan.id },
    { key: searchAttributes.severity, value: input.severity },
    { key: searchAttributes.phase, value: 'warn' },
    { key: searchAttributes.drill, value: input.drill },
  ]);
  inc.record(`activated by ${input.requestedBy}: plan ${input.plan.id} v${input.plan.version}, severity ${input.severity}${input.drill ? ', drill' : ''}`);
}

/** Expand the area into its communities (each once), or close the incident as failed when that cannot be done. */
export async function resolveArea(inc: Incident) {
  try {
    // On the way from the POST to the first warning: a local activity saves a round trip through the server (patch
    // `local-activities`; incidents recorded before resolve their area with an activity).
    const area = await (patched(PATCHES.localActivities) ? localServices : services).resolveArea(summaries.resolveArea(inc.input.area), { area: inc.input.area });
    const seen = new Set<string>();
    for (const d of area.districts) {
      for (const c of d.communities) {
        if (seen.has(c.communityId)) continue;
        seen.add(c.communityId);
        inc.communities.push(newCommunityState(d.districtId, c.communityId, c.population));
      }
    }
  } catch (err) {
    inc.view.phase = 'closed';
    inc.view.status = 'failed';
    inc.record('the area could not be resolved', failureReason(err));
    throw ApplicationFailure.nonRetryable(`area could not be resolved: ${failureReason(err)}`, 'area_unresolved');
  }
  inc.refreshAreas();
  const districts = [...new Set(inc.communities.map((c) => c.districtId))];
  upsertSearchAttributes([{ key: searchAttributes.districts, value: districts }]);
  inc.record(`area resolved: ${districts.length} district(s), ${inc.communities.length} communities`);
}

/** Release, return, stand responders down and tell residents, for whatever the incident got to. */
export async function compensate(inc: Incident) {
  try {
    const { stoodDown } = await services.standDownResponders(summaries.standDownResponders(), { idempotencyKey: idempotencyKey(workflowInfo().workflowId, 'stand-down'), incidentId: inc.input.incidentId });
    inc.record(`stand-down: ${stoodDown} open task(s) stood down`);
  } catch (err) {
    inc.record('stand-down: responders could not be stood down', failureReason(err));
  }
  await fanOut(inc, inc.contextFor(inc.phase, 'stand-down'), []);
  inc.record('stand-down: supplies released or returned, all-clear sent');
}

/** Drill mode ends in a readiness report: what would have failed for real. */
export async function writeReadiness(inc: Incident) {
  if (!inc.input.drill) return;
  let spans: SpanFinding[] | undefined;
  if (patched(PATCHES.drillReadiness)) {
    try {
      spans = await services.checkReadiness(summaries.checkReadiness(inc.input.area), { area: inc.input.area });
    } catch (err) {
      inc.record('readiness: the span-of-control check could not be made', failureReason(err));
    }
  }
  const readiness = (inc.view.readiness = drillReadiness(inc.communities, spans));
  inc.record(
    `readiness: ${readiness.ready ? 'ready' : 'not ready'}`,
    `${readiness.shortfalls.length} shortfall(s), ${readiness.unacknowledgedRoles.length} unacknowledged role(s), ${spans ? spans.length : 'no'} span-of-control finding(s)`,
  );
}

export function close(inc: Incident, outcome: 'completed' | 'stood-down') {
  const { input, view } = inc;
  view.review = computeReview({ incidentId: input.incidentId, planId: input.plan.id, planVersion: input.plan.version, outcome, startedAt: inc.startedAt, endedAt: new Date(), communities: inc.communities });
  if (inc.gates.length) view.gates = inc.gates;
  view.phase = 'closed';
  view.status = outcome === 'completed' ? 'completed' : 'cancelled';
  upsertSearchAttributes([{ key: searchAttributes.phase, value: 'closed' }]);
  inc.record(`closed: ${view.status}`, `${view.review.findings.length} finding(s)`);
}
