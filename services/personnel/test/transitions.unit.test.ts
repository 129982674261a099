import { decideAcknowledge, decideComplete, decideFallback } from '../src/domain/transitions';
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

  it('falls back only an unacknowledged task, once per key, resuming a key that was under way', () => {
    expect(decideFallback({ status: 'assigned', ownerId: 'p1', fallbackKeys: [] }, 'k1')).toEqual({ kind: 'apply' });
    expect(decideFallback({ status: 'assigned', ownerId: 'p2', fallbackKeys: ['k1'] }, 'k1')).toEqual({ kind: 'repeat' });
    expect(decideFallback({ status: 'unassigned', pendingFallback: 'k1' }, 'k1')).toEqual({ kind: 'resume' });
    expect(decideFallback({ status: 'unassigned', pendingFallback: 'k1' }, 'k2')).toMatchObject({ kind: 'reject', code: 'conflict' });
    expect(decideFallback({ status: 'acknowledged', ownerId: 'p1' }, 'k3')).toEqual({ kind: 'repeat' });
    expect(decideFallback({ status: 'stood-down' }, 'k3')).toMatchObject({ kind: 'reject', code: 'invalid_state' });
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
    expect(out).toEqual({
      incidentId: 'inc-1',
      tasks: 3,
      acknowledged: 2,
      done: 1,
      timedOut: 2,
      fallbacks: 1,
      byCommunity: { c1: { tasks: 2, acknowledged: 2, done: 1 }, c2: { tasks: 1, acknowledged: 0, done: 0 } },
    });
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
