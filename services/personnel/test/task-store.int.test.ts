import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { LifelineError, personnel, type personnelContract } from '@lifeline/contracts';
import { call, type NatsConnection } from '@lifeline/platform';
import { recoverOnce, SETTLE_GRACE_MS } from '../src/sweeper';
import type { TaskDesk } from '../src/tasks';
import { localReplica, type LocalReplica } from './support/desk';
import { collectEvents, connect, waitFor } from './support/stack';

/**
 * How a task change is stored, against the real store: one write guarded by the task's revision, with the effects it
 * owes on the task itself. Replicas run inside this process (their own store connections, the stack's NATS), so the
 * test can count their store commands, hold one back mid-change, or make one crash between the write and the effects.
 */
const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const communityId = `c-ts-${run}`;
const pid = (n: string) => `p-ts-${run}-${n}`;
const task = { zh: '巡查', en: 'Patrol' };

jest.setTimeout(120_000);

let nc: NatsConnection;
let db: Connection;
let a: LocalReplica;
let b: LocalReplica;
let events: Awaited<ReturnType<typeof collectEvents>>;

type Row = { _id: string; rev: number; status: string; ownerId?: string | null; owners: string[]; outbox?: { rev: number; events: { id: string }[] }[]; owing?: boolean };
const stored = async (taskId: string) => (await db.collection('tasks').findOne({ _id: taskId } as never)) as unknown as Row;
const claimsOf = async (taskId: string) => (await db.collection('claims').find({ taskId }).toArray()).map((c) => c.personId as string).sort();
const eventIdsOf = (taskId: string) => events.envelopes().filter((e) => (e.data as { taskId?: string }).taskId === taskId).map((e) => e.id);

type DispatchRequest = Parameters<TaskDesk['dispatch']>[0];

let n = 0;
const dispatchRequest = (over: Partial<DispatchRequest> = {}): DispatchRequest => ({
  idempotencyKey: `ts-${run}:${++n}`,
  incidentId: `inc-ts-${run}-${n}`,
  communityId,
  stepId: 'patrol',
  role: 'grid-worker',
  task,
  severity: 'III',
  drill: false,
  ...over,
});

/** The desk's next read of a task is held until `until` settles, so its decision is made on what it read before. */
function holdNextRead(desk: TaskDesk, until: Promise<unknown>, read?: () => void): void {
  const original = desk.find.bind(desk);
  desk.find = async (taskId) => {
    desk.find = original;
    const doc = await original(taskId);
    read?.();
    await until.catch(() => undefined);
    return doc;
  };
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

beforeAll(async () => {
  ({ nc, db } = await connect('personnel-task-store-test'));
  events = await collectEvents(nc);
  await call(nc, personnel.seed, {
    units: [
      { id: `d-ts-${run}`, level: 'district', name: { zh: '区', en: 'District' } },
      { id: communityId, level: 'community', parentId: `d-ts-${run}`, name: { zh: '社区', en: 'Community' }, population: 100 },
    ],
    people: ['a', 'b', 'c', 'd'].map((x, i) => ({ id: pid(x), type: 'grid-worker' as const, communityId, name: `网格员${x}`, phone: `1380000${String(i).padStart(4, '0')}` })),
  });
  a = await localReplica(nc, 'personnel-ts-a');
  b = await localReplica(nc, 'personnel-ts-b');
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await events?.stop();
  await nc?.drain();
  await db?.close();
});

describe('a task change is one guarded write of the task', () => {
  it('costs few store round trips: a first dispatch 6 (4 before it answers), a repeat 1, an acknowledgement 3, a completion 4, a hand-over 7; a deadline costs nothing extra', async () => {
    const measure = async (fn: () => Promise<unknown>) => {
      a.reset();
      await fn();
      await a.desk.drain();
      return a.commands();
    };
    // The first dispatch in a community also reads the community and the candidate pool (both kept for later ones).
    const cold = await measure(() => a.desk.dispatch(dispatchRequest()));
    expect(cold).toEqual(['find', 'find', 'find', 'find', 'insert', 'insert', 'find', 'update']);
    const request = dispatchRequest();
    let answeredAfter = 0;
    let first: personnelContract.Task | undefined;
    const warm = await measure(async () => {
      first = await a.desk.dispatch(request);
      answeredAfter = a.commands().length;
    });
    // read the task, read who is busy in the incident, claim the owner, insert the task; then the owner's phone and clearing the outbox
    expect(warm).toEqual(['find', 'find', 'insert', 'insert', 'find', 'update']);
    expect(answeredAfter).toBe(4);
    expect(await measure(() => a.desk.dispatch(request))).toEqual(['find']);
    // a service-kept deadline is a field of the same write
    expect(await measure(() => a.desk.dispatch(dispatchRequest({ ackDeadlineSeconds: 600 })))).toEqual(warm);
    const acked = await measure(() => a.desk.acknowledge(first!.taskId, first!.ownerId!));
    expect(acked).toEqual(['find', 'findAndModify', 'update']);
    expect(await stored(first!.taskId)).toMatchObject({ rev: 2, status: 'acknowledged', outbox: [], owing: false });
    // completing also ends the claim
    expect(await measure(() => a.desk.complete(first!.taskId, first!.ownerId!, 1))).toEqual(['find', 'findAndModify', 'delete', 'update']);
    // a decline hands over: claim the backup, write, release the one leaving, then message the backup and clear
    const next = await a.desk.dispatch(dispatchRequest());
    await a.desk.drain();
    const handOver = ['find', 'find', 'insert', 'findAndModify', 'delete', 'find', 'update'];
    expect(await measure(() => a.desk.decline(next.taskId, next.ownerId!))).toEqual(handOver);
    const other = await a.desk.dispatch(dispatchRequest());
    await a.desk.drain();
    expect(await measure(() => a.desk.fallback({ idempotencyKey: `ts-${run}:ops:fb`, taskId: other.taskId, reason: 'late' }))).toEqual(handOver);
  });

  it('two changes decided on the same revision: the one written first wins, the other decides again on the new state', async () => {
    const t = await a.desk.dispatch(dispatchRequest({ ackDeadlineSeconds: 600 }));
    const owner = t.ownerId!;
    // B reads revision 1 and decides a decline only after A's acknowledgement of revision 1 has been written.
    let ackDone!: () => void;
    const acknowledged = new Promise<void>((resolve) => (ackDone = resolve));
    holdNextRead(b.desk, acknowledged);
    const declining = failure(b.desk.decline(t.taskId, owner));
    await new Promise((r) => setTimeout(r, 50));
    expect(await a.desk.acknowledge(t.taskId, owner)).toMatchObject({ status: 'acknowledged' });
    ackDone();
    // On the new state a decline is no longer allowed: B re-decided instead of overwriting the acknowledgement.
    const err = await declining;
    expect(err).toBeInstanceOf(LifelineError);
    expect((err as LifelineError).code).toBe('invalid_state');
    await b.desk.drain();
    expect(await stored(t.taskId)).toMatchObject({ rev: 2, status: 'acknowledged', ownerId: owner, owners: [owner] });
    // The backup B claimed for its lost change was let go again.
    expect(await claimsOf(t.taskId)).toEqual([owner]);

    // The other way round: the decline is written first, the acknowledgement re-decides and is refused.
    const u = await a.desk.dispatch(dispatchRequest({ ackDeadlineSeconds: 600 }));
    let declineDone!: () => void;
    const declined = new Promise<void>((resolve) => (declineDone = resolve));
    holdNextRead(a.desk, declined);
    const acking = failure(a.desk.acknowledge(u.taskId, u.ownerId!));
    await new Promise((r) => setTimeout(r, 50));
    const moved = await b.desk.decline(u.taskId, u.ownerId!);
    declineDone();
    expect(((await acking) as LifelineError).code).toBe('forbidden');
    expect(moved.ownerId).toBeDefined();
    expect(await stored(u.taskId)).toMatchObject({ rev: 2, status: 'assigned', ownerId: moved.ownerId, owners: [u.ownerId, moved.ownerId] });
    await waitFor('the leaving owner to be released', async () => ((await claimsOf(u.taskId)).join() === moved.ownerId ? true : undefined));
  });

  it('two replicas falling back the same revision at once: exactly one hand-over, the loser answers the moved task, the backup keeps the claim', async () => {
    const t = await a.desk.dispatch(dispatchRequest());
    // Both read revision 1 before either writes.
    let reads = 0;
    let bothRead!: () => void;
    const gate = new Promise<void>((resolve) => (bothRead = resolve));
    const onRead = () => ++reads === 2 && bothRead();
    holdNextRead(a.desk, gate, onRead);
    holdNextRead(b.desk, gate, onRead);
    const [fromA, fromB] = await Promise.all([
      a.desk.fallback({ idempotencyKey: `ts-${run}:race:a`, taskId: t.taskId, reason: 'late', ownerId: t.ownerId! }),
      b.desk.fallback({ idempotencyKey: `ts-${run}:race:b`, taskId: t.taskId, reason: 'late', ownerId: t.ownerId! }),
    ]);
    await Promise.all([a.desk.drain(), b.desk.drain()]);
    const row = await stored(t.taskId);
    expect(row.rev).toBe(2);
    expect(row.owners).toHaveLength(2);
    // The loser decided again: the owner its fallback names no longer holds the task, so it answers the moved task.
    expect(fromA).toEqual(fromB);
    expect(fromA.ownerId).toBe(row.ownerId);
    // Both had claimed the same backup; the loser's undo left the winner's claim alone.
    await waitFor('only the new owner to hold a claim', async () => ((await claimsOf(t.taskId)).join() === row.ownerId ? true : undefined));
    await waitFor('the hand-over events', async () => (eventIdsOf(t.taskId).length >= 3 ? true : undefined));
    expect(eventIdsOf(t.taskId).sort()).toEqual([`${t.taskId}:assigned:${t.ownerId}`, `${t.taskId}:assigned:${row.ownerId}`, `${t.taskId}:timed-out:${t.ownerId}`].sort());
  });

  it('a crash between the write and its effects loses and duplicates nothing: a later replica carries them out once', async () => {
    // A replica that dies right after its store write: the first event publish fails, so nothing after the write runs.
    let crashNext = false;
    const published: string[] = [];
    const dying = await localReplica(nc, 'personnel-ts-dying', (ctx) => ({
      ...ctx,
      events: {
        publish: async (...args: Parameters<typeof ctx.events.publish>) => {
          if (crashNext) {
            crashNext = false;
            throw new Error('process killed');
          }
          return ctx.events.publish(...args);
        },
      } as typeof ctx.events,
    }));
    const recovering = await localReplica(nc, 'personnel-ts-recovering', (ctx) => ({
      ...ctx,
      events: {
        publish: async (...args: Parameters<typeof ctx.events.publish>) => {
          published.push(args[1]);
          return ctx.events.publish(...args);
        },
      } as typeof ctx.events,
    }));
    try {
      const t = await dying.desk.dispatch(dispatchRequest({ ackDeadlineSeconds: 600 }));
      const owner = t.ownerId!;
      await dying.desk.drain();
      crashNext = true;
      await expect(dying.desk.decline(t.taskId, owner)).rejects.toThrow('process killed');
      // The change is stored with what it owes; none of it has happened.
      const half = await stored(t.taskId);
      expect(half).toMatchObject({ rev: 2, status: 'assigned', owing: true });
      expect(half.outbox!.map((o) => o.rev)).toEqual([2]);
      const backup = half.ownerId!;
      expect(await claimsOf(t.taskId)).toEqual([owner, backup].sort());
      expect(eventIdsOf(t.taskId)).toEqual([`${t.taskId}:assigned:${owner}`]);

      // Within the grace nobody touches it (the writer may still be at work); after it, the recovery pass does.
      await recoverOnce(recovering.ctx, recovering.desk, new Date());
      expect(published).toEqual([]);
      await recoverOnce(recovering.ctx, recovering.desk, new Date(Date.now() + SETTLE_GRACE_MS + 1000));
      expect(published).toEqual([`${t.taskId}:declined:${owner}`, `${t.taskId}:assigned:${backup}`]);
      expect(await stored(t.taskId)).toMatchObject({ rev: 2, outbox: [], owing: false, ownerId: backup });
      expect(await claimsOf(t.taskId)).toEqual([backup]);
      // A second pass finds nothing owed; a repeated decline answers the moved task and publishes nothing.
      await recoverOnce(recovering.ctx, recovering.desk, new Date(Date.now() + SETTLE_GRACE_MS + 1000));
      expect(await recovering.desk.decline(t.taskId, owner)).toMatchObject({ taskId: t.taskId, ownerId: backup, owners: [owner, backup] });
      expect(published).toHaveLength(2);
      await waitFor('the recovered events on the stream', async () => (eventIdsOf(t.taskId).length >= 3 ? true : undefined));
      expect(eventIdsOf(t.taskId)).toEqual([`${t.taskId}:assigned:${owner}`, `${t.taskId}:declined:${owner}`, `${t.taskId}:assigned:${backup}`]);
      // The notification service holds the backup's message once, by its key.
      const direct = await db.getClient().db('lifeline_notification').collection('direct_messages').find({ incidentId: t.incidentId, recipientId: backup }).toArray();
      expect(direct).toHaveLength(1);

      // A first dispatch that dies after its insert: the repeat (same key, another replica) answers the same task
      // and finishes what was owed, once.
      crashNext = true;
      const request = dispatchRequest();
      await expect(dying.desk.dispatch(request)).rejects.toThrow('process killed');
      const repeated = await recovering.desk.dispatch(request);
      await recovering.desk.drain();
      expect(await recovering.desk.dispatch(request)).toEqual(repeated);
      await recoverOnce(recovering.ctx, recovering.desk, new Date(Date.now() + SETTLE_GRACE_MS + 1000));
      expect(published.filter((id) => id.startsWith(repeated.taskId))).toEqual([`${repeated.taskId}:assigned:${repeated.ownerId}`]);
      expect(await stored(repeated.taskId)).toMatchObject({ rev: 1, owing: false, ownerId: repeated.ownerId });
    } finally {
      await dying.close();
      await recovering.close();
    }
  });

  it("settles once what the previous version left: an unsettled revision it applied, and a deadline it kept apart", async () => {
    // The previous version stored a change (revision 2, a hand-over to the backup) and died before its effects; it
    // also kept the backup's deadline in `ack_deadlines`, and the task has no `awaitingAck` flag.
    const t = await a.desk.dispatch(dispatchRequest({ ackDeadlineSeconds: 600 }));
    await a.desk.drain();
    const backup = pid('d') === t.ownerId ? pid('c') : pid('d');
    const due = new Date(Date.now() + 60_000);
    const later = new Date(Date.now() + 120_000);
    const view = { ...t, ownerId: backup, owners: [t.ownerId, backup], ackDueAt: due.toISOString() };
    await db.collection('tasks').updateOne({ _id: t.taskId } as never, { $set: { rev: 2, ownerId: backup, owners: [t.ownerId, backup], ackDueAt: due }, $unset: { awaitingAck: 1 } });
    await db.collection('claims').insertOne({ _id: `${t.incidentId}/${backup}`, incidentId: t.incidentId, personId: backup, taskId: t.taskId } as never);
    await db.collection('task_transitions').insertOne({
      _id: `${t.taskId}#2`,
      taskId: t.taskId,
      rev: 2,
      set: { ownerId: backup },
      events: [{ name: 'assigned', id: `${t.taskId}:assigned:${backup}`, task: view }],
      release: [t.ownerId],
      notify: null,
      settled: false,
    } as never);
    await db.collection('ack_deadlines').insertOne({ _id: t.taskId, dueAt: due, ownerId: backup, rev: 2 } as never);
    expect(await a.desk.overdue(later, 1000)).not.toContain(t.taskId);

    await recoverOnce(a.ctx, a.desk, new Date());
    expect(await db.collection('task_transitions').findOne({ _id: `${t.taskId}#2` } as never)).toMatchObject({ settled: true });
    expect(await db.collection('ack_deadlines').countDocuments({ _id: t.taskId } as never)).toBe(0);
    expect(await claimsOf(t.taskId)).toEqual([backup]);
    await waitFor('the recovered event', async () => (eventIdsOf(t.taskId).includes(`${t.taskId}:assigned:${backup}`) ? true : undefined));
    // The deadline is the task's own now, so the sweep finds it; the change itself was not applied a second time.
    expect(await a.desk.overdue(later, 1000)).toContain(t.taskId);
    expect(await stored(t.taskId)).toMatchObject({ rev: 2, ownerId: backup, awaitingAck: true });
  });
});
