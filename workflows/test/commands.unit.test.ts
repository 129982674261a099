import { validateCommand, type CommandGate } from '../src/domain/commands';

const running = (change: Partial<CommandGate> = {}): CommandGate => ({ phase: 'respond', status: 'running', severity: 'III', standingDown: false, ...change });

describe('command validation (the update validator)', () => {
  test('accepts possible commands and returns them parsed', () => {
    expect(validateCommand(running(), { type: 'advance', reason: 'ready' })).toEqual({ type: 'advance', reason: 'ready' });
    expect(validateCommand(running(), { type: 'escalate', reason: 'river rising' })).toMatchObject({ type: 'escalate' });
    expect(validateCommand(running(), { type: 'escalate', reason: 'dam breach', severity: 'I' })).toMatchObject({ severity: 'I' });
    expect(validateCommand(running(), { type: 'deescalate', reason: 'calmer' })).toMatchObject({ type: 'deescalate' });
    expect(validateCommand(running(), { type: 'stand-down', reason: 'false alarm' })).toMatchObject({ type: 'stand-down' });
  });

  test('rejects what the contract schema rejects', () => {
    expect(() => validateCommand(running(), { type: 'advance' })).toThrow(/invalid command: reason/);
    expect(() => validateCommand(running(), { type: 'evacuate', reason: 'x' })).toThrow(/invalid command/);
    expect(() => validateCommand(running(), { type: 'escalate', reason: 'x', severity: 'V' })).toThrow(/invalid command: severity/);
  });

  test('rejects escalating beyond I and deescalating beyond IV', () => {
    expect(() => validateCommand(running({ severity: 'I' }), { type: 'escalate', reason: 'x' })).toThrow(/I is the highest level/);
    expect(() => validateCommand(running({ severity: 'IV' }), { type: 'deescalate', reason: 'x' })).toThrow(/IV is the lowest level/);
  });

  test('rejects an escalation that does not raise the severity, and a deescalation that does not lower it', () => {
    expect(() => validateCommand(running(), { type: 'escalate', reason: 'x', severity: 'IV' })).toThrow(/must raise/);
    expect(() => validateCommand(running(), { type: 'escalate', reason: 'x', severity: 'III' })).toThrow(/must raise/);
    expect(() => validateCommand(running(), { type: 'deescalate', reason: 'x', severity: 'II' })).toThrow(/must lower/);
  });

  test('rejects every command once the incident is closed', () => {
    const closed = running({ phase: 'closed', status: 'completed' });
    for (const type of ['advance', 'escalate', 'deescalate', 'stand-down'] as const) {
      expect(() => validateCommand(closed, { type, reason: 'x' })).toThrow(/completed; no more commands/);
    }
  });

  test('rejects anything after a stand-down, and a stand-down during the review', () => {
    expect(() => validateCommand(running({ standingDown: true }), { type: 'advance', reason: 'x' })).toThrow(/standing down/);
    expect(() => validateCommand(running({ standingDown: true }), { type: 'stand-down', reason: 'again' })).toThrow(/standing down/);
    expect(() => validateCommand(running({ phase: 'review' }), { type: 'stand-down', reason: 'x' })).toThrow(/already in review/);
  });
});
