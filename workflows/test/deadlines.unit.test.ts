import type { Gate } from '@lifeline/contracts';
import { acknowledgedShare, decisionRefusal, gateIdFor, joinGate, onMissedAck, raisedSeverity, type MissedAckState } from '../src/domain/deadlines';
import { drillReadiness } from '../src/domain/readiness';
import { newCommunityState } from '../src/domain/state';
import { validateCommand } from '../src/domain/commands';

const missed = (over: Partial<MissedAckState>): MissedAckState => ({ rule: 'continue', fallbacksUsed: 0, maxFallbacks: 2, escalated: false, ...over });

describe('a missed acknowledgement follows the plan’s rule', () => {
  it('fallback-to-backup pages backups up to maxFallbacks, then gives up', () => {
    expect(onMissedAck(missed({ rule: 'fallback-to-backup' }))).toBe('page-backup');
    expect(onMissedAck(missed({ rule: 'fallback-to-backup', fallbacksUsed: 2 }))).toBe('give-up');
  });

  it('escalate-severity escalates once, then pages backups', () => {
    expect(onMissedAck(missed({ rule: 'escalate-severity' }))).toBe('escalate');
    expect(onMissedAck(missed({ rule: 'escalate-severity', escalated: true }))).toBe('page-backup');
    expect(onMissedAck(missed({ rule: 'escalate-severity', escalated: true, fallbacksUsed: 2 }))).toBe('give-up');
  });

  it('ask-commander asks, then follows the decision', () => {
    expect(onMissedAck(missed({ rule: 'ask-commander' }))).toBe('ask-commander');
    expect(onMissedAck(missed({ rule: 'ask-commander', decision: 'page-backup' }))).toBe('page-backup');
    expect(onMissedAck(missed({ rule: 'ask-commander', decision: 'page-backup', fallbacksUsed: 2 }))).toBe('give-up');
    expect(onMissedAck(missed({ rule: 'ask-commander', decision: 'accept-miss' }))).toBe('give-up');
  });

  it('continue gives up at once', () => {
    expect(onMissedAck(missed({ rule: 'continue' }))).toBe('give-up');
  });

  it('severity rises one level and stops at I', () => {
    expect(raisedSeverity('IV')).toBe('III');
    expect(raisedSeverity('II')).toBe('I');
    expect(raisedSeverity('I')).toBeUndefined();
  });
});

describe('approval gates', () => {
  const opening = { gateId: gateIdFor('mobilize', 'dispatch-grid-worker'), phase: 'mobilize' as const, stepId: 'dispatch-grid-worker', question: 'no ack', options: ['page-backup', 'accept-miss'] };

  it('one gate per step: later communities join it, and get the decision once it is made', () => {
    const gates: Gate[] = [];
    expect(joinGate(gates, opening).decided).toBeUndefined();
    expect(joinGate(gates, opening).gate.communities).toBe(2);
    expect(gates).toHaveLength(1);
    Object.assign(gates[0]!, { status: 'decided', decision: 'accept-miss' });
    expect(joinGate(gates, opening).decided).toBe('accept-miss');
  });

  it('a decision must name an open gate and one of its options', () => {
    const gates: Gate[] = [];
    joinGate(gates, opening);
    const decide = (gateId: string, decision: string) => ({ type: 'decide' as const, reason: 'r', gateId, decision });
    expect(decisionRefusal(gates, decide('mobilize:nope', 'accept-miss'))).toMatch(/no gate mobilize:nope/);
    expect(decisionRefusal(gates, decide(opening.gateId, 'shrug'))).toMatch(/one of page-backup, accept-miss/);
    expect(decisionRefusal(gates, decide(opening.gateId, 'page-backup'))).toBeUndefined();
    Object.assign(gates[0]!, { status: 'decided', decision: 'page-backup' });
    expect(decisionRefusal(gates, decide(opening.gateId, 'accept-miss'))).toMatch(/already decided/);
  });

  it('the command validator refuses a decision the gates do not allow, before it reaches history', () => {
    const gate = { phase: 'mobilize' as const, status: 'running' as const, severity: 'III' as const, standingDown: false, gates: [] };
    expect(() => validateCommand(gate, { type: 'decide', reason: 'x', gateId: 'mobilize:x', decision: 'page-backup' })).toThrow(/no gate/);
    expect(() => validateCommand(gate, { type: 'decide', reason: 'x', gateId: 'mobilize:x' })).toThrow(/invalid command: decision/);
  });
});

describe('quorum of acknowledgements', () => {
  const tasks = [
    { stepId: 'a', taskId: 't1', status: 'acknowledged' },
    { stepId: 'a', taskId: 't2', status: 'missed' },
    { stepId: 'b', taskId: 't3', status: 'assigned' },
    { stepId: 'b', taskId: 't4', status: 'done' },
  ];
  it('counts tasks acknowledged in state or by a live acknowledgement', () => {
    expect(acknowledgedShare(tasks, new Set())).toBe(0.5);
    expect(acknowledgedShare(tasks, new Set(['t2']))).toBe(0.75);
    expect(acknowledgedShare(tasks, new Set(), ['a'])).toBe(0.5);
    expect(acknowledgedShare([], new Set())).toBe(1);
  });
});

describe('the drill readiness report', () => {
  it('lists shortfalls, unacknowledged roles per step, unreached residents and span findings', () => {
    const a = newCommunityState('d1', 'c-a', 100);
    a.figures.supplies.shortfall = 4;
    a.tasks.push({ stepId: 'dispatch-grid-worker', taskId: 't1', role: 'grid-worker', status: 'missed', awarded: false });
    const b = newCommunityState('d1', 'c-b', 100);
    b.tasks.push({ stepId: 'dispatch-grid-worker', taskId: 't2', role: 'grid-worker', status: 'missed', awarded: false });
    b.figures.notification = { jobs: 1, total: 10, sent: 7 };
    const report = drillReadiness([b, a], [{ communityId: 'c-a', code: 'span-people', message: 'too wide', value: 700, limit: 300 }]);
    expect(report.ready).toBe(false);
    expect(report.shortfalls).toEqual([{ communityId: 'c-a', units: 4 }]);
    expect(report.unacknowledgedRoles).toEqual([{ role: 'grid-worker', stepId: 'dispatch-grid-worker', missed: 2, communities: ['c-a', 'c-b'] }]);
    expect(report.unreached).toEqual([{ communityId: 'c-b', sent: 7, total: 10 }]);
    expect(report.spansOfControl).toHaveLength(1);
  });

  it('is ready when nothing is flagged, and leaves spans out when the check did not answer', () => {
    const report = drillReadiness([newCommunityState('d1', 'c-a', 100)]);
    expect(report).toEqual({ ready: true, shortfalls: [], unacknowledgedRoles: [], unreached: [] });
  });
});
