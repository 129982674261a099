import type { Gate, IncidentPhase, IncidentStatus, Severity } from '@lifeline/contracts';
import { IncidentCommand } from '@lifeline/contracts/inbound';
import { decisionRefusal } from './deadlines';

/** Severity from the least (IV, blue) to the most serious (I, red). */
const LADDER: readonly Severity[] = ['IV', 'III', 'II', 'I'];
const rank = (s: Severity) => LADDER.indexOf(s);

/** What the validator needs to know about the incident. */
export interface CommandGate {
  phase: IncidentPhase;
  status: IncidentStatus;
  severity: Severity;
  standingDown: boolean;
  /** Approval gates opened so far (a `decide` must name an open one and one of its options). */
  gates?: readonly Gate[];
}

export class CommandRejected extends Error {
  override readonly name = 'CommandRejected';
}

/** The severity an escalate/deescalate command leads to: the one it names, or one level up/down. */
export function targetSeverity(current: Severity, command: Extract<IncidentCommand, { type: 'escalate' | 'deescalate' }>): Severity | undefined {
  if (command.severity) return command.severity;
  return LADDER[rank(current) + (command.type === 'escalate' ? 1 : -1)];
}

/**
 * Parse a command with the contract's schema and refuse the impossible ones, so they never reach history:
 * anything once the incident is closed or standing down, stand-down during the review, escalating beyond I,
 * deescalating beyond IV, an "escalation" that does not raise the severity, or a decision on a gate that is not open.
 */
export function validateCommand(gate: CommandGate, raw: unknown): IncidentCommand {
  const parsed = IncidentCommand.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CommandRejected(`invalid command: ${where}`);
  }
  const command = parsed.data;
  if (gate.phase === 'closed' || gate.status !== 'running') throw new CommandRejected(`the incident is ${gate.status}; no more commands`);
  if (gate.standingDown) throw new CommandRejected('the incident is standing down; no more commands');
  if (command.type === 'stand-down' && gate.phase === 'review') throw new CommandRejected('the incident is already in review; nothing left to stand down');
  if (command.type === 'decide') {
    const refusal = decisionRefusal(gate.gates ?? [], command);
    if (refusal) throw new CommandRejected(refusal);
  }
  if (command.type === 'escalate' || command.type === 'deescalate') {
    const target = targetSeverity(gate.severity, command);
    if (!target) throw new CommandRejected(command.type === 'escalate' ? 'severity I is the highest level' : 'severity IV is the lowest level');
    const raises = rank(target) > rank(gate.severity);
    const lowers = rank(target) < rank(gate.severity);
    if (command.type === 'escalate' && !raises) throw new CommandRejected(`escalating must raise the severity above ${gate.severity}`);
    if (command.type === 'deescalate' && !lowers) throw new CommandRejected(`deescalating must lower the severity below ${gate.severity}`);
  }
  return command;
}
