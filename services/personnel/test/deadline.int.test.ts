import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { LifelineError, personnel } from '@lifeline/contracts';
import { call, type NatsConnection } from '@lifeline/platform';
import { collectEvents, connect, startReplica, waitFor, type Replica } from './support/stack';

/**
 * Service-side acknowledgement deadlines against the real stack, with two personnel replicas sweeping the same
 * store (the stack's own and one started here): an owner who does not acknowledge is replaced by the backup
 * after the deadline, and the store shows exactly one owner at every moment.
 */
const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const districtId = `d-dl-${run}`;
const communityId = `c-dl-${run}`;
const incidentId = `inc-dl-${run}`;
const pid = (n: string) => `p-dl-${run}-${n}`;
const task = { zh: '通知低洼地带住户', en: 'Warn the low-lying households' };
const phone = (n: number) => `1380000${String(n).padStart(4, '0')}`;

// Waits on real deadlines on a shared, busy machine.
jest.setTimeout(180_000);

let nc: NatsConnection;
let db: Connection;
let replica: Replica;
let events: Awaited<ReturnType<typeof collectEvents>>;

const dispatch = (key: string, over: Partial<Parameters<typeof call<typeof personnel.dispatch>>[2]> = {}) =>
  call(nc, personnel.dispatch, { idempotencyKey: `dl-${run}:${key}`, incidentId, communityId, stepId: 'warn', role: 'grid-worker', task, severity: 'II', ...over });

type Row = { _id: string; ownerId?: string | null; status: string; owners: string[]; spells?: { ownerId: string; outcome?: string; assignedAt: Date; endedAt?: Date }[]; rev?: number; outbox?: unknown[]; owing?: boolean };
const stored = async (taskId: string) => (await db.collection('tasks').findOne({ _id: taskId } as never)) as unknown as Row;
/** The task once it owes nothing (its last change's effects carried out and cleared). */
const settledTask = (taskId: string) =>
  waitFor(`task ${taskId} to owe nothing`, async () => {
    const row = await stored(taskId);
    return row.owing === false ? row : undefined;
  });
const claimsOf = async (taskId: string) => (await db.collection('claims').find({ taskId }).toArray()).map((c) => c.personId as string);

beforeAll(async () => {
  ({ nc, db } = await connect('personnel-deadline-test'));
  replica = await startReplica({ ACK_SWEEP_INTERVAL_MS: '200', RECOVERY_SWEEP_INTERVAL_MS: '2000' });
  events = await collectEvents(nc);
  const people = [
    ...['a', 'b', 'c', 'd', 'e', 'f'].map((n, i) => ({ id: pid(n), type: 'grid-worker' as const, communityId, name: `网格员${n}`, phone: phone(i) })),
    { id: pid('silent'), type: 'volunteer' as const, communityId, skills: ['sandbags'], drillBehaviour: 'ignore' as const, name: '沉默志愿者', phone: phone(20) },
    { id: pid('willing'), type: 'volunteer' as const, communityId, skills: ['sandbags'], name: '积极志愿者', phone: phone(21) },
    { id: pid('medic-old'), type: 'professional' as const, profession: 'medical' as const, communityId, skills: ['first-aid'], qualifications: [{ skill: 'first-aid', expiresOn: '2020-01-01' }], name: '过期医生', phone: phone(30) },
    { id: pid('medic-new'), type: 'professional' as const, profession: 'medical' as const, communityId, qualifications: [{ skill: 'first-aid', expiresOn: '2099-01-01' }], name: '有效医生', phone: phone(31) },
  ];
  await call(nc, personnel.seed, {
    units: [
      { id: districtId, level: 'district', name: { zh: '区', en: 'District' } },
      { id: communityId, level: 'community', parentId: districtId, name: { zh: '社区', en: 'Community' }, population: 900 },
    ],
    people,
  });
});

afterAll(async () => {
  await events?.stop();
  await replica?.stop();
  await nc?.drain();
  await db?.close();
});

describe('acknowledgement deadline kept by the service', () => {
  it('replaces an owner who does not acknowledge with the backup after the deadline; one owner at every moment', async () => {
    const before = Date.now();
    const t = await dispatch('silent-owner', { ackDeadlineSeconds: 2 });
    expect(t).toMatchObject({ status: 'assigned', ownerId: pid('a') });
    expect(Date.parse(t.ackDueAt!)).toBeGreaterThanOrEqual(before + 2000);

    const seen: { ownerId: string | null; claims: string[] }[] = [];
    const handedOver = await waitFor(
      'the sweep to hand the task to the backup',
      async () => {
        const [row, claims] = await Promise.all([stored(t.taskId), claimsOf(t.taskId)]);
        seen.push({ ownerId: row.ownerId ?? null, claims });
        return row.ownerId === pid('b') ? row : undefined;
      },
      60_000,
      50,
    );
    expect(handedOver).toMatchObject({ status: 'assigned', owners: [pid('a'), pid('b')] });
    expect(handedOver.spells?.map((s) => [s.ownerId, s.outcome ?? null])).toEqual([
      [pid('a'), 'timed-out'],
      [pid('b'), null],
    ]);
    // Exactly one owner at every observed moment: the task always names one person, and the only claims are the
    // owner's and, during the hand-over, the backup's reservation.
    expect(seen.length).toBeGreaterThan(10);
    for (const moment of seen) {
      expect([pid('a'), pid('b')]).toContain(moment.ownerId);
      expect(moment.claims).toContain(moment.ownerId);
      expect(moment.claims.every((c) => c === pid('a') || c === pid('b'))).toBe(true);
    }
    await waitFor('the claim to follow the owner', async () => ((await claimsOf(t.taskId)).join() === pid('b') ? true : undefined));

    // The stale owner can no longer act; the backup acknowledges.
    await expect(call(nc, personnel.acknowledge, { taskId: t.taskId, personId: pid('a') })).rejects.toMatchObject({ code: 'forbidden' });
    // The workflow's own timer-driven fallback, arriving after the service moved on, changes nothing.
    const wfFallback = await call(nc, personnel.fallback, { idempotencyKey: `dl-${run}:wf:fallback:1`, taskId: t.taskId, reason: 'not acknowledged in time' });
    expect(wfFallback).toMatchObject({ ownerId: pid('b'), owners: [pid('a'), pid('b')] });
    expect(await call(nc, personnel.fallback, { idempotencyKey: `dl-${run}:wf:fallback:1b`, taskId: t.taskId, reason: 'late', ownerId: pid('a') })).toMatchObject({ ownerId: pid('b') });
    expect(await call(nc, personnel.acknowledge, { taskId: t.taskId, personId: pid('b') })).toMatchObject({ status: 'acknowledged', ownerId: pid('b') });
    expect(await call(nc, personnel.start, { taskId: t.taskId, personId: pid('b') })).toMatchObject({ status: 'in-progress' });
    expect(await call(nc, personnel.complete, { taskId: t.taskId, personId: pid('b'), hours: 1.5 })).toMatchObject({ status: 'done', hours: 1.5 });

    // Five changes, one revision each, and every effect they owed carried out and cleared.
    expect(await settledTask(t.taskId)).toMatchObject({ rev: 5, outbox: [] });
    const mine = await waitFor('the events', async () => {
      const list = events.envelopes().filter((e) => (e.data as { taskId?: string }).taskId === t.taskId);
      return list.length >= 6 ? list : undefined;
    });
    expect(mine.map((e) => e.subject.replace('lifeline.evt.personnel.', ''))).toEqual(['task-assigned', 'task-timed-out', 'task-assigned', 'task-acknowledged', 'task-started', 'task-completed']);
    expect(mine[1]!.data).toMatchObject({ status: 'timed-out', ownerId: pid('a') });
  });

  it('never gives a task two owners when both replicas sweep many overdue tasks at once', async () => {
    const raced = await Promise.all(['r1', 'r2', 'r3'].map((k) => dispatch(k, { incidentId: `${incidentId}-race`, ackDeadlineSeconds: 1 })));
    expect(new Set(raced.map((t) => t.ownerId)).size).toBe(3);
    // a..f: three first owners, three backups; after the second deadline nobody is left.
    const settled = await waitFor(
      'every raced task to run out of candidates',
      async () => {
        const rows = await Promise.all(raced.map((t) => stored(t.taskId)));
        return rows.every((r) => r.status === 'timed-out') ? rows : undefined;
      },
      150_000,
    );
    // Nobody held two of the incident's tasks at the same time (a person freed by a time-out may take another).
    const spells = settled.flatMap((r) => r.spells ?? []);
    for (const a of spells) {
      for (const b of spells) {
        if (a === b || a.ownerId !== b.ownerId) continue;
        const overlap = a.assignedAt < b.endedAt! && b.assignedAt < a.endedAt!;
        expect(overlap).toBe(false);
      }
    }
    for (const row of settled) {
      expect(new Set(row.owners).size).toBe(row.owners.length); // never the same person twice on one task
      expect(row.spells?.every((s) => s.outcome === 'timed-out')).toBe(true);
      expect(row.spells?.length).toBe(row.owners.length);
      expect(await claimsOf(row._id)).toEqual([]);
      // One revision per change: the first assignment and one per owner timing out, none lost or doubled by the race.
      expect(await settledTask(row._id)).toMatchObject({ rev: row.owners.length + 1, outbox: [] });
    }
    const timedOutEvents = events.envelopes().filter((e) => e.subject.endsWith('task-timed-out') && raced.some((t) => t.taskId === (e.data as { taskId: string }).taskId));
    expect(timedOutEvents).toHaveLength(spells.length);
    expect(new Set(timedOutEvents.map((e) => e.id)).size).toBe(spells.length);
  });

  it('falls back at once when the owner declines', async () => {
    const t = await dispatch('declined', { incidentId: `${incidentId}-decline`, ackDeadlineSeconds: 600 });
    const owner = t.ownerId!;
    const moved = await call(nc, personnel.decline, { taskId: t.taskId, personId: owner, reason: 'away' });
    expect(moved.ownerId).toBeDefined();
    expect(moved.ownerId).not.toBe(owner);
    expect(moved.owners).toEqual([owner, moved.ownerId]);
    expect(await call(nc, personnel.decline, { taskId: t.taskId, personId: owner })).toEqual(moved);
    await expect(call(nc, personnel.decline, { taskId: t.taskId, personId: pid('zz') })).rejects.toMatchObject({ code: 'forbidden' });
    await waitFor('the task-declined event', async () => events.envelopes().some((e) => e.id === `${t.taskId}:declined:${owner}`) || undefined);
  });

  it('does not assign someone whose qualification for the skill has expired', async () => {
    const t = await dispatch('first-aid', { incidentId: `${incidentId}-qual`, role: 'professional', skill: 'first-aid' });
    expect(t.ownerId).toBe(pid('medic-new'));
    const next = await call(nc, personnel.decline, { taskId: t.taskId, personId: pid('medic-new') });
    expect(next).toMatchObject({ status: 'declined', owners: [pid('medic-new')] });
    expect(next.ownerId).toBeUndefined();
  });

  it('in a drill, a responder seeded not to acknowledge is replaced and the backup completes; the summary names the silent one', async () => {
    const drillIncident = `${incidentId}-drill`;
    const t = await dispatch('drill', { incidentId: drillIncident, role: 'volunteer', skill: 'sandbags', drill: true, ackDeadlineSeconds: 2 });
    expect(t.ownerId).toBe(pid('silent'));
    const done = await waitFor(
      'the backup to complete the drill task',
      async () => {
        const row = await stored(t.taskId);
        return row.status === 'done' ? row : undefined;
      },
      60_000,
    );
    expect(done).toMatchObject({ ownerId: pid('willing'), owners: [pid('silent'), pid('willing')] });
    const summary = await call(nc, personnel.summary, { incidentId: drillIncident });
    expect(summary).toMatchObject({ tasks: 1, acknowledged: 1, done: 1, timedOut: 1, fallbacks: 1, declined: 0, nonAcknowledging: [pid('silent')], unacknowledgedRoles: [], hoursByParticipant: { [pid('willing')]: 2 } });
    expect(summary.byRole?.volunteer).toMatchObject({ assignments: 2, acknowledged: 1, rate: 0.5 });
    expect(summary.byRole?.volunteer?.medianAckSeconds).toBeLessThan(5);
  });

  it("finishes a change the previous version's revision log left half-done: the claimed revision is applied once and its events published", async () => {
    const t = await dispatch('crash', { incidentId: `${incidentId}-crash` });
    const row = await stored(t.taskId);
    const at = new Date(Date.now() - 20_000);
    const view = { ...t, status: 'acknowledged' };
    // As if a replica of the previous version died right after claiming revision rev+1 in `task_transitions`: the
    // transition exists, the task change and its events do not.
    await db.collection('task_transitions').insertOne({
      _id: `${t.taskId}#${row.rev! + 1}`,
      taskId: t.taskId,
      rev: row.rev! + 1,
      set: { status: 'acknowledged', acknowledgedAt: at, ackDueAt: null },
      events: [{ name: 'acknowledged', id: `${t.taskId}:acknowledged`, task: view }],
      release: [],
      notify: null,
      settled: false,
      createdAt: at,
      updatedAt: at,
    } as never);
    const recovered = await waitFor(
      'the sweeper to finish the interrupted change',
      async () => {
        const r = await stored(t.taskId);
        const tr = await db.collection('task_transitions').findOne({ _id: `${t.taskId}#${row.rev! + 1}` } as never);
        return r.status === 'acknowledged' && tr?.settled === true ? r : undefined;
      },
      60_000,
    );
    expect(recovered.rev).toBe(row.rev! + 1);
    await waitFor('the recovered event', async () => events.envelopes().some((e) => e.id === `${t.taskId}:acknowledged`) || undefined);
    expect(await call(nc, personnel.acknowledge, { taskId: t.taskId, personId: t.ownerId! })).toMatchObject({ status: 'acknowledged' });
  });

  it('rejects bad deadlines and unknown tasks with structured errors', async () => {
    const before = await db.collection('tasks').countDocuments({ incidentId });
    const err = await dispatch('bad-deadline', { ackDeadlineSeconds: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LifelineError);
    expect((err as LifelineError).code).toBe('invalid_request');
    await expect(call(nc, personnel.decline, { taskId: 'task-nope', personId: pid('a') })).rejects.toMatchObject({ code: 'not_found' });
    expect(await db.collection('tasks').countDocuments({ incidentId })).toBe(before);
  });
});
