/**
 * What reaches the incident from outside while it runs: the operator's commands (update `command`), the communities'
 * missed deadlines (signal `deadlinePassed`) and acknowledgements (signal `taskProgress`), and the decisions it hands
 * down to the communities waiting on a gate.
 */
import { CancellationScope, condition, getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';
import type { CommandResult, Severity } from '@lifeline/contracts';
import { DeadlineSignal, TaskSignal, workflowIds, type IncidentCommand } from '@lifeline/contracts/inbound';
import { failureReason } from '../activity-options';
import { forEachBounded } from '../fan-out';
import { commandUpdate, deadlinePassedSignal, gateDecisionSignal, statusQuery, taskProgressSignal } from '../messages';
import { targetSeverity, validateCommand } from '../domain/commands';
import { GATE_OPTIONS, gateIdFor, joinGate, raisedSeverity } from '../domain/deadlines';
import type { Incident } from './state';

/** Answer the status query, accept commands, and take the signals; `phases` is the scope a stand-down cancels. */
export function listen(inc: Incident, phases: CancellationScope) {
  const snapshot = () => ({ ...inc.view, standingDown: inc.standingDown, gates: inc.gates });
  setHandler(statusQuery, () => inc.status());
  setHandler(
    commandUpdate,
    (raw): CommandResult => {
      applyCommand(inc, phases, validateCommand(snapshot(), raw));
      return { accepted: true, phase: inc.view.phase, severity: inc.view.severity };
    },
    { validator: (raw) => void validateCommand(snapshot(), raw) },
  );
  setHandler(taskProgressSignal, (raw) => {
    const parsed = TaskSignal.safeParse(raw);
    if (parsed.success) inc.liveAcks.add(parsed.data.taskId);
  });
  setHandler(deadlinePassedSignal, (raw) => {
    const parsed = DeadlineSignal.safeParse(raw);
    if (parsed.success) applyDeadline(inc, parsed.data);
  });
}

/** A community's deadline passed under a rule that acts here: escalate once per step, or open/join the step's gate. */
export function applyDeadline(inc: Incident, signal: DeadlineSignal) {
  const gateId = gateIdFor(signal.phase, signal.stepId);
  if (signal.rule === 'escalate-severity') {
    if (inc.escalatedSteps.has(gateId)) return;
    inc.escalatedSteps.add(gateId);
    const to = raisedSeverity(inc.view.severity);
    if (!to) return inc.record(`deadline passed: ${signal.stepId} in ${signal.communityId}; severity already I (rule escalate-severity)`, signal.detail);
    inc.record(`deadline passed: ${signal.stepId} in ${signal.communityId}; severity ${inc.view.severity} → ${to} (rule escalate-severity)`, signal.detail);
    return inc.setSeverity(to);
  }
  const kind = inc.plan.phases[signal.phase].find((s) => s.id === signal.stepId)?.kind === 'notify' ? 'notify' : 'dispatch';
  const { gate, decided } = joinGate(inc.gates, { gateId, phase: signal.phase, stepId: signal.stepId, question: signal.detail, options: [...GATE_OPTIONS[kind]] });
  if (decided) return void inc.outbox.push({ communityId: signal.communityId, gateId, decision: decided });
  inc.gateWaiters.set(gateId, [...(inc.gateWaiters.get(gateId) ?? []), signal.communityId]);
  if (gate.communities === 1) inc.record(`gate ${gateId} opened: the commander decides (${gate.options.join(' | ')})`, signal.detail);
}

function decide(inc: Incident, phases: CancellationScope, command: Extract<IncidentCommand, { type: 'decide' }>) {
  const gate = inc.gates.find((g) => g.gateId === command.gateId);
  if (!gate) return;
  Object.assign(gate, { status: 'decided', decision: command.decision, reason: command.reason });
  inc.record(`gate ${gate.gateId} decided: ${command.decision}`, command.reason);
  for (const communityId of inc.gateWaiters.get(gate.gateId) ?? []) inc.outbox.push({ communityId, gateId: gate.gateId, decision: command.decision });
  inc.gateWaiters.delete(gate.gateId);
  if (command.decision === 'stand-down' && inc.view.phase !== 'review') applyCommand(inc, phases, { type: 'stand-down', reason: command.reason });
}

function applyCommand(inc: Incident, phases: CancellationScope, command: IncidentCommand) {
  switch (command.type) {
    case 'advance':
      inc.advances++;
      if (!inc.waiting) inc.skipWaitsIn = inc.phase;
      inc.record(inc.waiting ? 'advance: the operator ended the wait' : 'advance: remaining waits of this phase skipped', command.reason);
      return;
    case 'escalate':
    case 'deescalate': {
      const to = targetSeverity(inc.view.severity, command) as Severity;
      inc.record(`${command.type}: severity ${inc.view.severity} → ${to} for subsequent steps`, command.reason);
      return inc.setSeverity(to);
    }
    case 'decide':
      return decide(inc, phases, command);
    case 'stand-down':
      inc.standingDown = true;
      inc.record('stand-down: cancelling outstanding work, then compensating', command.reason);
      phases.cancel();
      return;
  }
}

/** Hand decisions down to the communities waiting on them; a community that is gone no longer needs it. */
export async function deliverDecisions(inc: Incident): Promise<never> {
  for (;;) {
    await condition(() => inc.outbox.length > 0);
    const batch = inc.outbox.splice(0, inc.outbox.length);
    await forEachBounded(batch, 100, async ({ communityId, gateId, decision }) => {
      try {
        await getExternalWorkflowHandle(workflowIds.community(inc.input.incidentId, communityId)).signal(gateDecisionSignal, { gateId, decision });
      } catch (err) {
        inc.record(`decision on ${gateId} not delivered to ${communityId}`, failureReason(err));
      }
    });
  }
}
