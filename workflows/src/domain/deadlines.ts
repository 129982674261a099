/**
 * What happens when a deadline passes (the plan's escalation rules), as pure decisions the workflows follow.
 * Workflow-safe: no I/O, no clock.
 */
import type { Gate, IncidentCommand, Phase, Severity } from '@lifeline/contracts';

type Rule = 'continue' | 'fallback-to-backup' | 'escalate-severity' | 'ask-commander';

/** Options a commander chooses from, per kind of gate. */
export const GATE_OPTIONS = {
  /** A responder did not acknowledge in time. */
  dispatch: ['page-backup', 'accept-miss'],
  /** A broadcast was still sending at its deadline. */
  notify: ['keep-waiting', 'continue'],
  /** A quorum of acknowledgements was not reached in time. */
  quorum: ['keep-waiting', 'continue'],
  /** An `await` step `for: decision`. */
  decision: ['proceed', 'stand-down'],
} as const;

/** One gate per step and phase, however many communities ask. */
export const gateIdFor = (phase: Phase, stepId: string) => `${phase}:${stepId}`;

/** What a community does next about a task nobody acknowledged within the window. */
export type MissedAckAction = 'page-backup' | 'escalate' | 'ask-commander' | 'give-up';

export interface MissedAckState {
  rule: Rule;
  fallbacksUsed: number;
  maxFallbacks: number;
  /** This community already told the incident to escalate for this step. */
  escalated: boolean;
  /** The commander's decision on this step's gate, once known. */
  decision?: string | undefined;
}

/**
 * The plan's rule for a missed acknowledgement:
 * - `fallback-to-backup`: page the next candidate, up to maxFallbacks, then give up (a missed acknowledgement);
 * - `escalate-severity`: raise the incident's severity once, then page backups like `fallback-to-backup`;
 * - `ask-commander`: open the step's gate and follow the decision (`page-backup` up to maxFallbacks, or `accept-miss`);
 * - `continue`: give up at once.
 */
export function onMissedAck(s: MissedAckState): MissedAckAction {
  const backupLeft = s.fallbacksUsed < s.maxFallbacks;
  switch (s.rule) {
    case 'fallback-to-backup':
      return backupLeft ? 'page-backup' : 'give-up';
    case 'escalate-severity':
      if (!s.escalated) return 'escalate';
      return backupLeft ? 'page-backup' : 'give-up';
    case 'ask-commander':
      if (s.decision === undefined) return 'ask-commander';
      return s.decision === 'page-backup' && backupLeft ? 'page-backup' : 'give-up';
    default:
      return 'give-up';
  }
}

/** One level more serious, or undefined at I. */
export function raisedSeverity(current: Severity): Severity | undefined {
  const ladder: Severity[] = ['IV', 'III', 'II', 'I'];
  return ladder[ladder.indexOf(current) + 1];
}

/** A gate opened, or joined by one more community; returns the gate and, if already decided, its decision. */
export function joinGate(gates: Gate[], opening: Omit<Gate, 'status' | 'communities'>): { gate: Gate; decided?: string } {
  let gate = gates.find((g) => g.gateId === opening.gateId);
  if (!gate) {
    gate = { ...opening, status: 'open', communities: 0 };
    gates.push(gate);
  }
  gate.communities++;
  return gate.status === 'decided' && gate.decision ? { gate, decided: gate.decision } : { gate };
}

/** Why a `decide` command cannot apply, or undefined when it can. */
export function decisionRefusal(gates: readonly Gate[], command: Extract<IncidentCommand, { type: 'decide' }>): string | undefined {
  const gate = gates.find((g) => g.gateId === command.gateId);
  if (!gate) return `no gate ${command.gateId}${gates.length ? ` (gates: ${gates.map((g) => g.gateId).join(', ')})` : ''}`;
  if (gate.status !== 'open') return `gate ${gate.gateId} was already decided (${gate.decision ?? ''})`;
  if (!gate.options.includes(command.decision)) return `decision must be one of ${gate.options.join(', ')} for gate ${gate.gateId}`;
  return undefined;
}

/** Tasks counted by a quorum wait: those of the named steps, or every dispatched task. */
export interface QuorumTask {
  stepId: string;
  taskId: string;
  status: string;
}

/** Share of counted tasks acknowledged (in state, or by a live acknowledgement); 1 when nothing was dispatched. */
export function acknowledgedShare(tasks: readonly QuorumTask[], liveAcks: ReadonlySet<string>, steps?: readonly string[]): number {
  const counted = steps ? tasks.filter((t) => steps.includes(t.stepId)) : tasks;
  if (counted.length === 0) return 1;
  const acked = counted.filter((t) => t.status === 'acknowledged' || t.status === 'done' || liveAcks.has(t.taskId)).length;
  return acked / counted.length;
}
