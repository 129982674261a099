import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  DeadlineSignal,
  IncidentInput,
  TaskSignal,
  workflowIds,
  type CommandResult,
  type Gate,
  type IncidentCommand,
  type IncidentView,
  type Phase,
  type PlanStep,
  type Severity,
} from '@lifeline/contracts';
import type { Activities } from './activities';
import { commandOptions, failureReason, localCommandOptions } from './activity-options';
import { childSearchAttributes } from './child-options';
import { districtPhaseWorkflow } from './district-workflow';
import { DISTRICTS_IN_FLIGHT, forEachBounded } from './fan-out';
import { commandUpdate, deadlinePassedSignal, gateDecisionSignal, PATCHES, searchAttributes, statusQuery, taskProgressSignal } from './messages';
import { targetSeverity, validateCommand } from './domain/commands';
import { acknowledgedShare, GATE_OPTIONS, gateIdFor, joinGate, raisedSeverity } from './domain/deadlines';
import { drillReadiness, type SpanFinding } from './domain/readiness';
import { idempotencyKey } from './domain/keys';
import { computeReview } from './domain/review';
import { appliesAt, splitPhase, type IncidentLevelStep } from './domain/segments';
import { newCommunityState, type CommunityState, type PhaseContext } from './domain/state';

const services = proxyActivities<Activities>(commandOptions);
const localServices = proxyLocalActivities<Activities>(localCommandOptions);

/**
 * An incident, from activation to review. Id `incident-<id>` (chosen by the command-center).
 * Walks warn → mobilize → respond → recover → review; community steps fan out down the hierarchy
 * (incident → district → community child workflows), incident-level steps (`await`, `collect`) run here.
 * Returns the final IncidentView; query `status` gives the same view at any time.
 */
export async function incidentWorkflow(rawInput: IncidentInput): Promise<IncidentView> {
  const parsed = IncidentInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable('invalid incident input', 'invalid_request', parsed.error.issues);
  const input = parsed.data;
  const { plan } = input;
  const startedAt = new Date();
  const workflowId = workflowInfo().workflowId;

  const view: IncidentView = {
    incidentId: input.incidentId,
    title: input.title,
    planId: plan.id,
    planVersion: plan.version,
    severity: input.severity,
    drill: input.drill,
    phase: 'warn',
    status: 'running',
    areas: [],
    timeline: [],
  };
  /** Every community's state, in area order; the source of `view.areas` and of the review. */
  let communities: CommunityState[] = [];
  let standingDown = false;
  /** Advances counted so far; an `await` ends when the count moves. */
  let advances = 0;
  let waiting = false;
  /** An `advance` outside a wait skips the rest of that phase's incident-level waits. */
  let skipWaitsIn: Phase | undefined;

  /** Approval gates, one per step; `view.gates` shows them. */
  const gates: Gate[] = [];
  /** Communities waiting on each open gate. */
  const gateWaiters = new Map<string, string[]>();
  /** Decisions to hand down to communities (sent by `deliverDecisions`). */
  const outbox: { communityId: string; gateId: string; decision: string }[] = [];
  /** Steps whose deadline already raised the severity: one escalation per step, however many communities miss it. */
  const escalatedSteps = new Set<string>();
  /** Tasks acknowledged as the bridge reports them, for quorum waits. */
  const liveAcks = new Set<string>();

  const record = (what: string, detail?: string) => view.timeline.push({ at: new Date().toISOString(), what, phase: view.phase, ...(detail ? { detail } : {}) });
  const refreshAreas = () => {
    view.areas = communities.map((c) => ({ districtId: c.districtId, communityId: c.communityId, population: c.population, lastPhase: c.lastPhase, figures: c.figures }));
  };

  /** Child work of the phases; a stand-down cancels it, then compensations run outside it. */
  const phases = new CancellationScope();

  setHandler(statusQuery, () => (gates.length ? { ...view, gates } : view));
  setHandler(
    commandUpdate,
    (raw): CommandResult => {
      const command = validateCommand({ ...view, standingDown, gates }, raw);
      applyCommand(command);
      return { accepted: true, phase: view.phase, severity: view.severity };
    },
    { validator: (raw) => void validateCommand({ ...view, standingDown, gates }, raw) },
  );
  setHandler(taskProgressSignal, (raw) => {
    const parsed = TaskSignal.safeParse(raw);
    if (parsed.success) liveAcks.add(parsed.data.taskId);
  });
  setHandler(deadlinePassedSignal, (raw) => {
    const parsed = DeadlineSignal.safeParse(raw);
    if (parsed.success) applyDeadline(parsed.data);
  });

  function setSeverity(to: Severity) {
    view.severity = to;
    upsertSearchAttributes([{ key: searchAttributes.severity, value: to }]);
  }

  /** A community's deadline passed under a rule that acts here: escalate once per step, or open/join the step's gate. */
  function applyDeadline(signal: DeadlineSignal) {
    const gateId = gateIdFor(signal.phase, signal.stepId);
    if (signal.rule === 'escalate-severity') {
      if (escalatedSteps.has(gateId)) return;
      escalatedSteps.add(gateId);
      const to = raisedSeverity(view.severity);
      if (!to) return record(`deadline passed: ${signal.stepId} in ${signal.communityId}; severity already I (rule escalate-severity)`, signal.detail);
      record(`deadline passed: ${signal.stepId} in ${signal.communityId}; severity ${view.severity} → ${to} (rule escalate-severity)`, signal.detail);
      return setSeverity(to);
    }
    const kind = plan.phases[signal.phase].find((s) => s.id === signal.stepId)?.kind === 'notify' ? 'notify' : 'dispatch';
    const { gate, decided } = joinGate(gates, { gateId, phase: signal.phase, stepId: signal.stepId, question: signal.detail, options: [...GATE_OPTIONS[kind]] });
    if (decided) return outbox.push({ communityId: signal.communityId, gateId, decision: decided });
    gateWaiters.set(gateId, [...(gateWaiters.get(gateId) ?? []), signal.communityId]);
    if (gate.communities === 1) record(`gate ${gateId} opened: the commander decides (${gate.options.join(' | ')})`, signal.detail);
  }

  function decide(command: Extract<IncidentCommand, { type: 'decide' }>) {
    const gate = gates.find((g) => g.gateId === command.gateId);
    if (!gate) return;
    Object.assign(gate, { status: 'decided', decision: command.decision, reason: command.reason });
    record(`gate ${gate.gateId} decided: ${command.decision}`, command.reason);
    for (const communityId of gateWaiters.get(gate.gateId) ?? []) outbox.push({ communityId, gateId: gate.gateId, decision: command.decision });
    gateWaiters.delete(gate.gateId);
    if (command.decision === 'stand-down' && view.phase !== 'review') applyCommand({ type: 'stand-down', reason: command.reason });
  }

  /** Hand decisions down to the communities waiting on them; a community that is gone no longer needs it. */
  async function deliverDecisions(): Promise<never> {
    for (;;) {
      await condition(() => outbox.length > 0);
      const batch = outbox.splice(0, outbox.length);
      await forEachBounded(batch, 100, async ({ communityId, gateId, decision }) => {
        try {
          await getExternalWorkflowHandle(workflowIds.community(input.incidentId, communityId)).signal(gateDecisionSignal, { gateId, decision });
        } catch (err) {
          record(`decision on ${gateId} not delivered to ${communityId}`, failureReason(err));
        }
      });
    }
  }

  function applyCommand(command: IncidentCommand) {
    switch (command.type) {
      case 'advance':
        advances++;
        if (!waiting) skipWaitsIn = view.phase as Phase;
        record(waiting ? 'advance: the operator ended the wait' : 'advance: remaining waits of this phase skipped', command.reason);
        return;
      case 'escalate':
      case 'deescalate': {
        const to = targetSeverity(view.severity, command) as Severity;
        record(`${command.type}: severity ${view.severity} → ${to} for subsequent steps`, command.reason);
        return setSeverity(to);
      }
      case 'decide':
        return decide(command);
      case 'stand-down':
        standingDown = true;
        record('stand-down: cancelling outstanding work, then compensating', command.reason);
        phases.cancel();
        return;
    }
  }

  const contextFor = (phase: Phase, mode: PhaseContext['mode'] = 'steps'): PhaseContext => ({
    incidentId: input.incidentId,
    planId: plan.id,
    planVersion: plan.version,
    phase,
    severity: view.severity,
    drill: input.drill,
    severityScaling: plan.severityScaling,
    mode,
  });

  /** Run steps (or compensations) for every community: one district child per district, bounded. */
  async function fanOut(context: PhaseContext, steps: PlanStep[]) {
    const byDistrict = new Map<string, CommunityState[]>();
    for (const c of communities) byDistrict.set(c.districtId, [...(byDistrict.get(c.districtId) ?? []), c]);
    const merged = new Map(communities.map((c) => [c.communityId, c]));
    await forEachBounded([...byDistrict], DISTRICTS_IN_FLIGHT, async ([districtId, members]) => {
      try {
        const states = await executeChild(districtPhaseWorkflow, {
          workflowId: workflowIds.district(input.incidentId, districtId),
          args: [{ context, districtId, steps, communities: members }],
          typedSearchAttributes: childSearchAttributes(context, districtId),
          staticSummary: `${context.mode === 'stand-down' ? 'stand-down' : context.phase} · district ${districtId}`,
        });
        for (const s of states) merged.set(s.communityId, s);
      } catch (err) {
        if (isCancellation(err)) return;
        record(`district ${districtId} failed in ${context.phase}`, failureReason(err));
      }
    });
    communities = communities.map((c) => merged.get(c.communityId) ?? c);
    refreshAreas();
  }

  /** Surface what communities noted for these steps (not executed, missed, short), one line per step. */
  function recordNotes(phase: Phase, steps: PlanStep[]) {
    for (const step of steps) {
      const notes = communities.flatMap((c) => c.notes.filter((n) => n.phase === phase && n.stepId === step.id));
      const [first] = notes;
      if (first) record(`${step.id}: noted in ${notes.length} communit${notes.length === 1 ? 'y' : 'ies'}`, first.note);
    }
  }

  /** An incident-level gate (await `for: decision`): wait for the commander's decision. */
  async function decisionGate(step: Extract<IncidentLevelStep, { kind: 'await' }>, options: readonly string[], question: string): Promise<string | undefined> {
    const gateId = gateIdFor(view.phase as Phase, step.id);
    const { gate } = joinGate(gates, { gateId, phase: view.phase as Phase, stepId: step.id, question, options: [...options] });
    record(`gate ${gateId} opened: the commander decides (${gate.options.join(' | ')})`, question);
    await condition(() => gate.status === 'decided');
    return gate.decision;
  }

  /** Wait until a share of the dispatched tasks is acknowledged; at the deadline, apply the step's rule. */
  async function quorumStep(step: Extract<IncidentLevelStep, { kind: 'await' }>, before: number) {
    const { share, steps } = step.quorum ?? { share: 1 };
    const reached = () => acknowledgedShare(communities.flatMap((c) => c.tasks), liveAcks, steps) >= share;
    const percent = () => Math.round(acknowledgedShare(communities.flatMap((c) => c.tasks), liveAcks, steps) * 100);
    record(`${step.id}: waiting for ${Math.round(share * 100)}% of tasks acknowledged (now ${percent()}%)`);
    for (;;) {
      if (await condition(() => reached() || advances > before, (step.seconds ?? 0) * 1000)) {
        return record(`${step.id}: ${reached() ? `quorum reached (${percent()}%)` : 'ended early by advance'}`);
      }
      const detail = `only ${percent()}% of tasks acknowledged after ${step.seconds ?? 0}s (quorum ${Math.round(share * 100)}%)`;
      if (step.onDeadline === 'escalate-severity') {
        applyDeadline({ communityId: 'all', phase: view.phase as Phase, stepId: step.id, rule: 'escalate-severity', detail });
        return;
      }
      if (step.onDeadline !== 'ask-commander') return record(`${step.id}: ${detail}; going on (rule ${step.onDeadline})`);
      const gateId = gateIdFor(view.phase as Phase, step.id);
      const decision = await decisionGate(step, GATE_OPTIONS.quorum, detail);
      if (decision !== 'keep-waiting') return;
      // Reopen for the next round: a new deadline, a new question.
      gates.splice(gates.findIndex((g) => g.gateId === gateId), 1);
    }
  }

  async function awaitStep(step: Extract<IncidentLevelStep, { kind: 'await' }>) {
    if (skipWaitsIn === view.phase) return record(`${step.id}: skipped (advanced)`);
    const before = advances;
    waiting = true;
    try {
      if (step.for === 'operator') {
        record(`${step.id}: waiting for the operator to advance`);
        await condition(() => advances > before);
      } else if (step.for === 'decision') {
        await decisionGate(step, GATE_OPTIONS.decision, step.question?.en ?? step.title.en);
      } else if (step.for === 'quorum') {
        await quorumStep(step, before);
      } else {
        const ended = await condition(() => advances > before, (step.seconds ?? 0) * 1000);
        record(`${step.id}: ${ended ? 'ended early by advance' : `timer of ${step.seconds ?? 0}s elapsed`}`);
      }
    } finally {
      waiting = false;
    }
  }

  async function collectStep(step: Extract<IncidentLevelStep, { kind: 'collect' }>) {
    try {
      const figures = await services.collectFigures({ incidentId: input.incidentId, figures: step.figures });
      record(`${step.id}: figures collected from ${step.figures.join(', ')}`, JSON.stringify(figures));
    } catch (err) {
      if (isCancellation(err)) throw err;
      record(`${step.id}: figures could not be collected`, failureReason(err));
    }
  }

  /** Children swallow their own cancellation and return state, so the incident checks before each next move. */
  const throwIfStandingDown = () => {
    if (standingDown) throw new CancelledFailure('stand-down');
  };

  /** One phase of the plan, in the plan's order. */
  async function runPhase(phase: Phase) {
    throwIfStandingDown();
    view.phase = phase;
    upsertSearchAttributes([{ key: searchAttributes.phase, value: phase }]);
    record(`${phase} started`);
    let fannedOut = false;
    for (const segment of splitPhase(plan.phases[phase])) {
      throwIfStandingDown();
      if (segment.scope === 'communities') {
        const steps = segment.steps.filter((s) => appliesAt(s, view.severity));
        if (steps.length === 0) continue;
        fannedOut = true;
        await fanOut(contextFor(phase), steps);
        throwIfStandingDown();
        record(`${steps.map((s) => s.id).join(', ')}: ran in ${communities.length} communities`);
        recordNotes(phase, steps);
      } else if (appliesAt(segment.step, view.severity)) {
        if (segment.step.kind === 'await') await awaitStep(segment.step);
        else await collectStep(segment.step);
      }
    }
    // A community closes its sites at the end of its recover run; without community steps in recover, run one for that.
    const holdingSites = communities.filter((c) => c.sites?.some((s) => s.status === 'open')).length;
    if (phase === 'recover' && !fannedOut && holdingSites > 0) {
      await fanOut(contextFor(phase), []);
      record(`sites closed in ${holdingSites} communit${holdingSites === 1 ? 'y' : 'ies'}`);
    }
  }

  /** Release, return, stand responders down and tell residents, for whatever the incident got to. */
  async function compensate() {
    const phase = view.phase as Phase;
    try {
      const { stoodDown } = await services.standDownResponders({ idempotencyKey: idempotencyKey(workflowId, 'stand-down'), incidentId: input.incidentId });
      record(`stand-down: ${stoodDown} open task(s) stood down`);
    } catch (err) {
      record('stand-down: responders could not be stood down', failureReason(err));
    }
    await fanOut(contextFor(phase, 'stand-down'), []);
    record('stand-down: supplies released or returned, all-clear sent');
  }

  /** Drill mode ends in a readiness report: what would have failed for real. */
  async function writeReadiness() {
    if (!input.drill) return;
    let spans: SpanFinding[] | undefined;
    if (patched(PATCHES.drillReadiness)) {
      try {
        spans = await services.checkReadiness({ area: input.area });
      } catch (err) {
        record('readiness: the span-of-control check could not be made', failureReason(err));
      }
    }
    view.readiness = drillReadiness(communities, spans);
    record(`readiness: ${view.readiness.ready ? 'ready' : 'not ready'}`, `${view.readiness.shortfalls.length} shortfall(s), ${view.readiness.unacknowledgedRoles.length} unacknowledged role(s), ${spans ? spans.length : 'no'} span-of-control finding(s)`);
  }

  function close(outcome: 'completed' | 'stood-down') {
    view.review = computeReview({
      incidentId: input.incidentId,
      planId: plan.id,
      planVersion: plan.version,
      outcome,
      startedAt,
      endedAt: new Date(),
      communities,
    });
    if (gates.length) view.gates = gates;
    view.phase = 'closed';
    view.status = outcome === 'completed' ? 'completed' : 'cancelled';
    upsertSearchAttributes([{ key: searchAttributes.phase, value: 'closed' }]);
    record(`closed: ${view.status}`, `${view.review.findings.length} finding(s)`);
  }

  upsertSearchAttributes([
    { key: searchAttributes.incidentId, value: input.incidentId },
    { key: searchAttributes.planId, value: plan.id },
    { key: searchAttributes.severity, value: input.severity },
    { key: searchAttributes.phase, value: 'warn' },
    { key: searchAttributes.drill, value: input.drill },
  ]);
  record(`activated by ${input.requestedBy}: plan ${plan.id} v${plan.version}, severity ${input.severity}${input.drill ? ', drill' : ''}`);

  try {
    // On the way from the POST to the first warning: a local activity saves a round trip through the server (patch
    // `local-activities`; incidents recorded before resolve their area with an activity).
    const area = await (patched(PATCHES.localActivities) ? localServices : services).resolveArea({ area: input.area });
    const seen = new Set<string>();
    for (const d of area.districts) {
      for (const c of d.communities) {
        if (seen.has(c.communityId)) continue;
        seen.add(c.communityId);
        communities.push(newCommunityState(d.districtId, c.communityId, c.population));
      }
    }
  } catch (err) {
    view.phase = 'closed';
    view.status = 'failed';
    record('the area could not be resolved', failureReason(err));
    throw ApplicationFailure.nonRetryable(`area could not be resolved: ${failureReason(err)}`, 'area_unresolved');
  }
  refreshAreas();
  const districts = [...new Set(communities.map((c) => c.districtId))];
  upsertSearchAttributes([{ key: searchAttributes.districts, value: districts }]);
  record(`area resolved: ${districts.length} district(s), ${communities.length} communities`);

  void deliverDecisions();
  try {
    await phases.run(async () => {
      await runPhase('warn'); // warn residents, vulnerable people first
      await runPhase('mobilize'); // reserve supplies, dispatch responders
      await runPhase('respond'); // issue supplies, award completed work
      await runPhase('recover'); // return what was not used, send the all-clear
    });
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }

  if (standingDown) {
    await compensate();
    close('stood-down');
    return view;
  }
  await runPhase('review'); // collect figures, then the after-action review
  await writeReadiness();
  close('completed');
  return view;
}
