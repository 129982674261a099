/** The incident-level steps: `await` (operator, timer, quorum, decision) and `collect`. Workflow-safe. */
import { condition, isCancellation } from '@temporalio/workflow';
import { commandOptions, failureReason } from '../activity-options';
import { acknowledgedShare, GATE_OPTIONS, gateIdFor, joinGate } from '../domain/deadlines';
import { summaries } from '../domain/summaries';
import { commandsWith } from '../proxies';
import type { IncidentLevelStep } from '../domain/segments';
import { applyDeadline } from './operator';
import type { Incident } from './state';

const services = commandsWith(commandOptions);

type AwaitStep = Extract<IncidentLevelStep, { kind: 'await' }>;

/** An incident-level gate (await `for: decision`): wait for the commander's decision. */
async function decisionGate(inc: Incident, step: AwaitStep, options: readonly string[], question: string): Promise<string | undefined> {
  const gateId = gateIdFor(inc.phase, step.id);
  const { gate } = joinGate(inc.gates, { gateId, phase: inc.phase, stepId: step.id, question, options: [...options] });
  inc.record(`gate ${gateId} opened: the commander decides (${gate.options.join(' | ')})`, question);
  await condition(() => gate.status === 'decided');
  return gate.decision;
}

/** Wait until a share of the dispatched tasks is acknowledged; at the deadline, apply the step's rule. */
async function quorum(inc: Incident, step: AwaitStep, before: number) {
  const { share, steps } = step.quorum ?? { share: 1 };
  const acked = () => acknowledgedShare(inc.communities.flatMap((c) => c.tasks), inc.liveAcks, steps);
  const reached = () => acked() >= share;
  const percent = () => Math.round(acked() * 100);
  inc.record(`${step.id}: waiting for ${Math.round(share * 100)}% of tasks acknowledged (now ${percent()}%)`);
  for (;;) {
    const deadline = { summary: summaries.quorum(step.id, share, step.seconds ?? 0) };
    if (await condition(() => reached() || inc.advances > before, (step.seconds ?? 0) * 1000, deadline)) {
      return inc.record(`${step.id}: ${reached() ? `quorum reached (${percent()}%)` : 'ended early by advance'}`);
    }
    const detail = `only ${percent()}% of tasks acknowledged after ${step.seconds ?? 0}s (quorum ${Math.round(share * 100)}%)`;
    if (step.onDeadline === 'escalate-severity') {
      applyDeadline(inc, { communityId: 'all', phase: inc.phase, stepId: step.id, rule: 'escalate-severity', detail });
      return;
    }
    if (step.onDeadline !== 'ask-commander') return inc.record(`${step.id}: ${detail}; going on (rule ${step.onDeadline})`);
    const gateId = gateIdFor(inc.phase, step.id);
    const decision = await decisionGate(inc, step, GATE_OPTIONS.quorum, detail);
    if (decision !== 'keep-waiting') return;
    // Reopen for the next round: a new deadline, a new question.
    inc.gates.splice(inc.gates.findIndex((g) => g.gateId === gateId), 1);
  }
}

export async function awaitStep(inc: Incident, step: AwaitStep) {
  if (inc.skipWaitsIn === inc.view.phase) return inc.record(`${step.id}: skipped (advanced)`);
  const before = inc.advances;
  inc.waiting = true;
  try {
    if (step.for === 'operator') {
      inc.record(`${step.id}: waiting for the operator to advance`);
      await condition(() => inc.advances > before);
    } else if (step.for === 'decision') {
      await decisionGate(inc, step, GATE_OPTIONS.decision, step.question?.en ?? step.title.en);
    } else if (step.for === 'quorum') {
      await quorum(inc, step, before);
    } else {
      const ended = await condition(() => inc.advances > before, (step.seconds ?? 0) * 1000, { summary: summaries.timer(step.id, step.seconds ?? 0) });
      inc.record(`${step.id}: ${ended ? 'ended early by advance' : `timer of ${step.seconds ?? 0}s elapsed`}`);
    }
  } finally {
    inc.waiting = false;
  }
}

export async function collectStep(inc: Incident, step: Extract<IncidentLevelStep, { kind: 'collect' }>) {
  try {
    const figures = await services.collectFigures(summaries.collect(step.id, step.figures), { incidentId: inc.input.incidentId, figures: step.figures });
    inc.record(`${step.id}: figures collected from ${step.figures.join(', ')}`, JSON.stringify(figures));
  } catch (err) {
    if (isCancellation(err)) throw err;
    inc.record(`${step.id}: figures could not be collected`, failureReason(err));
  }
}
