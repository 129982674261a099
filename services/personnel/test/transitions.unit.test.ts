import { awaitsAck, decideAcknowledge, decideComplete, decideDecline, decideFallback, decideStart, isOverdue } from '../src/domain/transitions';
import { carriedForward, messageOwed } from '../src/domain/outbox';
import { summarize } from '../src/domain/summary';
import { assignmentMessage, notifyKey } from '../src/domain/message';

describe('task transitions', () => {
  it('lets only the current owner acknowledge, once assigned; a repeat is harmless', () => {
    expect(decideAcknowledge({ status: 'assigned', ownerId: 'p1' }, 'p1')).toEqual({ kind: 'apply' });
    expect(decideAcknowledge({ status: 'assigned', ownerId: 'p1' }, 'p2')).toMatchObject({ kind: 'reject', code: 'forbidden' });
    expect(decideAcknowledge({ status: 'acknowledged', ownerId: 'p1' }, 'p1')).toEqual({ kind: 'repeat' });
    expect(decideAcknowledge({ status: 'stood-down', ownerId: 'p1' }, 'p1')).toMatchObject({ kind: 'reject', code: 'invalid_state' });
    expect(decideAcknowledge({ status: 'unassigned' }, 'p1')).toMatchObject({ kind: 'reject', code: 'forbidden' });
  });

  it('completes from acknowledged or in-progress only; done again is a repeat', () => {
    expect(decideComplete({ status: 'acknowledged', ownerId: 'p1' }, 'p1')).toEqual({ kind: 'apply' });
    expect(decideComplete({ status: 'in-progress', ownerId: 'p1' }, 'p1')).toEqual({ kind: 'apply' });
    expect(decideComplete({ status: 'done', ownerId: 'p1' }, 'p1')).toEqual({ kind: 'repeat' });
    expect(decideComplete({ status: 'assigned', ownerId: 'p1' }, 'p1')).toMatchObject({ kind: 'reject', code: 'invalid_state' });
    expect(decideComplete({ status: 'acknowledged', ownerId: 'p1' }, 'p9')).toMatchObject({ kind: 'reject', code: 'forbidden' });
  });

  it('falls back only an unacknowledged task, once per key', () => {
    const now = new Date('2026-06-01T10:00:00Z');
    expect(decideFallback({ status: 'assigned', ownerId: 'p1', fallbackKeys: [] }, 'k1', now)).toEqual({ kind: 'apply' });
    expect(decideFallback({ status: 'assigned', ownerId: 'p2', fallbackKeys: ['k1'] }, 'k1', now)).toEqual({ kind: 'repeat' });
    expect(decideFallback({ status: 'timed-out' }, 'k2', now)).toEqual({ kind: 'apply' });
    expect(decideFallback({ status: 'acknowledged', ownerId: 'p1' }, 'k3', now)).toEqual({ kind: 'repeat' });
    expect(decideFallback({ status: 'stood-down' }, 'k3', now)).toMatchObject({ kind: 'reject', code: 'invalid_state' });
  });

  it('leaves the task as is when the named owner already moved on or the service-kept deadline has not passed', () => {
    const now = new Date('2026-06-01T10:00:00Z');
    const later = new Date('2026-06-01T10:00:30Z');
    expect(decideFallback({ status: 'assigned', ownerId: 'p2' }, 'k1', now, 'p1')).toEqual({ kind: 'repeat' });
    expect(decideFallback({ status: 'assigned', ownerId: 'p2' }, 'k1', now, 'p2')).toEqual({ kind: 'apply' });
    expect(decideFallback({ status: 'assigned', ownerId: 'p2', ackDueAt: later }, 'k1', now)).toEqual({ kind: 'repeat' });
    expect(decideFallback({ status: 'assigned', ownerId: 'p2', ackDueAt: now }, 'k1', later)).toEqual({ kind: 'apply' });
    expect(isOverdue({ status: 'assigned', ownerId: 'p2', ackDueAt: now }, later)).toBe(true);
    expect(isOverdue({ status: 'acknowledged', ownerId: 'p2', ackDueAt: now }, later)).toBe(false);
    expect(isOverdue({ status: 'assigned', ownerId: 'p2' }, later)).toBe(false);
  });

  it('lets only the current owner decline, before acknowledging; a second decline by them is a repeat', () => {
    expect(decideDecline({ status: 'assigned', ownerId: 'p1' }, 'p1')).toEqual({ kind: 'apply' });
    expect(decideDecline({ status: 'assigned', ownerId: 'p1' }, 'p2')).toMatchObject({ kind: 'reject', code: 'forbidden' });
    expect(decideDecline({ status: 'acknowledged', ownerId: 'p1' }, 'p1')).toMatchObject({ kind: 'reject', code: 'invalid_state' });
    const spells = [{ ownerId: 'p1', assignedAt: new Date(), outcome: 'declined' as const }];
    expect(decideDecline({ status: 'assigned', ownerId: 'p2', spells }, 'p1')).toEqual({ kind: 'repeat' });
  });

  it('starts only an acknowledged task', () => {
    expect(decideStart({ status: 'acknowledged', ownerId: 'p1' }, 'p1')).toEqual({ kind: 'apply' });
    expect(decideStart({ status: 'assigned', ownerId: 'p1' }, 'p1')).toMatchObject({ kind: 'reject', code: 'invalid_state' });
    expect(decideStart({ status: 'in-progress', ownerId: 'p1' }, 'p1')).toEqual({ kind: 'repeat' });
  });
});

describe('what a task change owes', () => {
  const assigned = { rev: 1, events: ['assigned:p1'], release: [], notify: 'p1' };
  const handOver = { rev: 2, events: ['timed-out:p1', 'assigned:p2'], release: ['p1'], notify: 'p2' };

  it('a new change keeps the events and releases still owed, but not their owner messages', () => {
    expect(carriedForward([assigned, handOver], 0)).toEqual([
      { rev: 1, events: ['assigned:p1'], release: [] },
      { rev: 2, events: ['timed-out:p1', 'assigned:p2'], release: ['p1'] },
    ]);
  });

  it('drops what this process has already carried out, and entries left with nothing to do', () => {
    expect(carriedForward([assigned, handOver], 1)).toEqual([{ rev: 2, events: ['timed-out:p1', 'assigned:p2'], release: ['p1'] }]);
    expect(carriedForward([assigned, handOver], 2)).toEqual([]);
    expect(carriedForward([{ rev: 3, events: [], release: [], notify: 'p3' }], 0)).toEqual([]);
  });

  it('only the latest change still wants its owner messaged', () => {
    expect(messageOwed([assigned, handOver], 2)).toBe('p2');
    expect(messageOwed([assigned], 2)).toBeUndefined();
    expect(messageOwed([{ rev: 2, events: ['acknowledged'], release: [] }], 2)).toBeUndefined();
  });

  it('a deadline runs only while an owner holds an assigned task with a due time', () => {
    const due = new Date('2026-06-01T10:00:00Z');
    expect(awaitsAck({ status: 'assigned', ownerId: 'p1', ackDueAt: due })).toBe(true);
    expect(awaitsAck({ status: 'assigned', ownerId: 'p1', ackDueAt: null })).toBe(false);
    expect(awaitsAck({ status: 'timed-out', ownerId: null, ackDueAt: null })).toBe(false);
    expect(awaitsAck({ status: 'acknowledged', ownerId: 'p1', ackDueAt: due })).toBe(false);
  });
});

describe('personnel figures', () => {
  it('counts tasks, acknowledgements, completions, time-outs and fallbacks per incident and community', () => {
    const at = new Date();
    const out = summarize('inc-1', [
      { communityId: 'c1', status: 'done', acknowledgedAt: at, owners: ['p1'] },
      { communityId: 'c1', status: 'acknowledged', acknowledgedAt: at, owners: ['p2', 'p3'], timedOutOwners: ['p2'] },
      { communityId: 'c2', status: 'unassigned', owners: ['p4'], timedOutOwners: ['p4'] },
    ]);
    expect(out).toMatchObject({
      incidentId: 'inc-1',
      tasks: 3,
      acknowledged: 2,
      done: 1,
      timedOut: 2,
      fallbacks: 1,
      byCommunity: { c1: { tasks: 2, acknowledged: 2, done: 1 }, c2: { tasks: 1, acknowledged: 0, done: 0 } },
      nonAcknowledging: ['p2', 'p4'],
    });
  });

  it('gives acknowledgement rate and delay per role, unacknowledged roles, declines and hours per participant', () => {
    const t0 = new Date('2026-06-01T10:00:00Z');
    const sec = (s: number) => new Date(t0.getTime() + s * 1000);
    const out = summarize('inc-1', [
      {
        communityId: 'c1',
        role: 'grid-worker',
        status: 'done',
        acknowledgedAt: sec(70),
        owners: ['p1', 'p2'],
        ownerId: 'p2',
        hours: 3,
        timedOutOwners: ['p1'],
        spells: [
          { ownerId: 'p1', assignedAt: t0, outcome: 'timed-out', endedAt: sec(60) },
          { ownerId: 'p2', assignedAt: sec(60), acknowledgedAt: sec(70), outcome: 'done' },
        ],
      },
      { communityId: 'c1', role: 'grid-worker', status: 'acknowledged', acknowledgedAt: sec(30), owners: ['p3'], ownerId: 'p3', spells: [{ ownerId: 'p3', assignedAt: t0, acknowledgedAt: sec(30) }] },
      { communityId: 'c1', role: 'volunteer', status: 'declined', owners: ['p4'], spells: [{ ownerId: 'p4', assignedAt: t0, outcome: 'declined', endedAt: sec(5) }] },
    ]);
    expect(out.byRole).toEqual({
      'grid-worker': { assignments: 3, acknowledged: 2, rate: 0.667, medianAckSeconds: 10, p90AckSeconds: 30 },
      volunteer: { assignments: 1, acknowledged: 0, rate: 0 },
    });
    expect(out.unacknowledgedRoles).toEqual(['volunteer']);
    expect(out.declined).toBe(1);
    expect(out.hoursByParticipant).toEqual({ p2: 3 });
    expect(out.nonAcknowledging).toEqual(['p1', 'p4']);
  });
});

describe('assignment message', () => {
  it('marks drills and keeps within the contract length', () => {
    const msg = assignmentMessage({ zh: '巡查'.repeat(1000), en: 'Patrol' }, 'II', true);
    expect(msg.zh.startsWith('【演练】')).toBe(true);
    expect([...msg.zh].length).toBeLessThanOrEqual(2000);
    expect(msg.en).toContain('[DRILL]');
  });

  it('derives the notification key from the task key, shortened through the task id when too long', () => {
    expect(notifyKey('wf-1:step-a', 'task-x', 'p1')).toBe('wf-1:step-a:notify:p1');
    expect(notifyKey('k'.repeat(200), 'task-x', 'p1')).toBe('task-x:notify:p1');
  });
});
