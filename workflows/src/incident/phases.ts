/** The phases: each runs the plan's steps in order, community steps fanned out down the hierarchy. Workflow-safe. */
import { CancelledFailure, executeChild, isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import type { Phase, PlanStep } from '@lifeline/contracts';
import { workflowIds } from '@lifeline/contracts/inbound';
import { failureReason } from '../activity-options';
import { childSearchAttributes } from '../child-options';
import { districtPhaseWorkflow } from '../district-workflow';
import { DISTRICTS_IN_FLIGHT, DISTRICTS_RUNNING_STEPS_IN_FLIGHT, forEachBounded } from '../fan-out';
import { searchAttributes } from '../messages';
import { appliesAt, districtSteps, leadingWarnings, splitPhase } from '../domain/segments';
import type { CommunityState, DistrictPhaseInput, PhaseContext } from '../domain/state';
import type { Incident } from './state';
import { awaitStep, collectStep } from './waits';

/** A community whose sites are open until a community run of its recover closes them. */
const holdsOpenSites = (c: CommunityState) => c.sites?.some((s) => s.status === 'open') ?? false;
/** A community with a task that may still be completed (its dispatch stopped waiting): only a community run hears it. */
const holdsOpenTasks = (c: CommunityState) => c.tasks.some((t) => t.status === 'assigned' || t.status === 'acknowledged' || t.status === 'incomplete');

/**
 * Run steps (or compensations) for every community: one district child per district, bounded. With patch
 * `district-steps`, a segment's leading notify and reserve steps run first in every district at once (no community
 * runs), and only the steps after them start community runs: so every community's tents are reserved before any
 * district waits on its grid workers. Recover closes the sites a community holds in a community run of its own.
 */
export async function fanOut(inc: Incident, context: PhaseContext, steps: PlanStep[]) {
  if (!inc.districtSteps || context.mode !== 'steps') return fanOutBefore(inc, context, steps);
  // Awards in the districts (patch `district-awards`) only while no task is still open anywhere: a late completion
  // reaches a community run, which absorbs it before it awards, never a district.
  const here = districtSteps(steps, { awards: inc.districtAwards && !inc.communities.some(holdsOpenTasks) });
  if (here.length > 0) await toDistricts(inc, context, here, inc.communities, DISTRICTS_RUNNING_STEPS_IN_FLIGHT, { stepsHere: true });
  const rest = steps.slice(here.length);
  const members = rest.length > 0 ? inc.communities : context.phase === 'recover' ? inc.communities.filter(holdsOpenSites) : [];
  if (members.length > 0) await toDistricts(inc, context, rest, members, DISTRICTS_IN_FLIGHT, {});
}

/** Incidents recorded before patch `district-steps`: one district run per district (warn's notify steps in it, patch `district-warns`). */
async function fanOutBefore(inc: Incident, context: PhaseContext, steps: PlanStep[]) {
  const warnings = context.phase === 'warn' && context.mode === 'steps' ? leadingWarnings(steps).length : 0;
  const warnHere = warnings > 0 && inc.districtWarns;
  // Districts that only warn hold no community runs, so all of them warn at once.
  const districtsAtOnce = warnHere && warnings === steps.length ? DISTRICTS_RUNNING_STEPS_IN_FLIGHT : DISTRICTS_IN_FLIGHT;
  await toDistricts(inc, context, steps, inc.communities, districtsAtOnce, warnHere ? { warnHere } : {});
}

/** One district child per district of `members`, `atOnce` at a time; their states merged back in area order. */
async function toDistricts(inc: Incident, context: PhaseContext, steps: PlanStep[], members: CommunityState[], atOnce: number, how: Pick<DistrictPhaseInput, 'warnHere' | 'stepsHere'>) {
  const byDistrict = new Map<string, CommunityState[]>();
  for (const c of members) byDistrict.set(c.districtId, [...(byDistrict.get(c.districtId) ?? []), c]);
  const merged = new Map(inc.communities.map((c) => [c.communityId, c]));
  await forEachBounded([...byDistrict], atOnce, async ([districtId, communities]) => {
    try {
      const states = await executeChild(districtPhaseWorkflow, {
        workflowId: workflowIds.district(inc.input.incidentId, districtId),
        args: [{ context, districtId, steps, communities, ...how }],
        typedSearchAttributes: childSearchAttributes(context, districtId),
        staticSummary: `${context.mode === 'stand-down' ? 'stand-down' : context.phase} · district ${districtId}`,
      });
      for (const s of states) merged.set(s.communityId, s);
    } catch (err) {
      if (isCancellation(err)) return;
      inc.record(`district ${districtId} failed in ${context.phase}`, failureReason(err));
    }
  });
  inc.communities = inc.communities.map((c) => merged.get(c.communityId) ?? c);
  inc.refreshAreas();
}

/** Surface what communities noted for these steps (not executed, missed, short), one line per step. */
function recordNotes(inc: Incident, phase: Phase, steps: PlanStep[]) {
  for (const step of steps) {
    const notes = inc.communities.flatMap((c) => c.notes.filter((n) => n.phase === phase && n.stepId === step.id));
    const [first] = notes;
    if (first) inc.record(`${step.id}: noted in ${notes.length} communit${notes.length === 1 ? 'y' : 'ies'}`, first.note);
  }
}

/** Children swallow their own cancellation and return state, so the incident checks before each next move. */
export const throwIfStandingDown = (inc: Incident) => {
  if (inc.standingDown) throw new CancelledFailure('stand-down');
};

/** One phase of the plan, in the plan's order. */
export async function runPhase(inc: Incident, phase: Phase) {
  throwIfStandingDown(inc);
  inc.view.phase = phase;
  upsertSearchAttributes([{ key: searchAttributes.phase, value: phase }]);
  inc.record(`${phase} started`);
  let fannedOut = false;
  for (const segment of splitPhase(inc.plan.phases[phase])) {
    throwIfStandingDown(inc);
    if (segment.scope === 'communities') {
      const steps = segment.steps.filter((s) => appliesAt(s, inc.view.severity));
      if (steps.length === 0) continue;
      fannedOut = true;
      await fanOut(inc, inc.contextFor(phase), steps);
      throwIfStandingDown(inc);
      inc.record(`${steps.map((s) => s.id).join(', ')}: ran in ${inc.communities.length} communities`);
      recordNotes(inc, phase, steps);
    } else if (appliesAt(segment.step, inc.view.severity)) {
      if (segment.step.kind === 'await') await awaitStep(inc, segment.step);
      else await collectStep(inc, segment.step);
    }
  }
  // A community closes its sites at the end of its recover run; without community steps in recover, run one for that.
  const holdingSites = inc.communities.filter(holdsOpenSites).length;
  if (phase === 'recover' && !fannedOut && holdingSites > 0) {
    await fanOut(inc, inc.contextFor(phase), []);
    inc.record(`sites closed in ${holdingSites} communit${holdingSites === 1 ? 'y' : 'ies'}`);
  }
}
