import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { LifelineError, personnel, type ErrorCode } from '@lifeline/contracts';
import { call, decodeJson, encodeJson, type NatsConnection } from '@lifeline/platform';
import { connectAdmin, pollUntil } from '@lifeline/testkit';

/**
 * Against the running personnel service (and, in the full suite, notification): a small community unique
 * to this run, seeded through the endpoint, then driven over NATS; the service's own database is inspected.
 */
const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const districtId = `d-it-${run}`;
const communityId = `c-it-${run}`;
const incidentId = `inc-it-${run}`;
const drillIncidentId = `inc-drill-${run}`;
const pid = (n: string) => `p-${run}-${n}`;
const task = { zh: '巡查低洼地带', en: 'Patrol the low-lying streets' };
const CLEAR_NAME = '测试张三';
const CLEAR_PHONE = '13900001111';

let nc: NatsConnection;
let db: Connection;

async function expectError(promise: Promise<unknown>, code: ErrorCode): Promise<LifelineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LifelineError);
  expect((err as LifelineError).code).toBe(code);
  return err as LifelineError;
}

/** Send raw JSON (bypassing the client-side check) so the service's own validation answers. */
async function rawRequest(subject: string, body: unknown): Promise<{ ok: boolean; error?: { code: string; message: string; details?: unknown } }> {
  const reply = await nc.request(subject, encodeJson(body), { timeout: 10_000 });
  return decodeJson(reply.data) as { ok: boolean; error?: { code: string; message: string; details?: unknown } };
}

const dispatch = (key: string, over: Partial<Parameters<typeof call<typeof personnel.dispatch>>[2]> = {}) =>
  call(nc, personnel.dispatch, { idempotencyKey: `it-${run}:${key}`, incidentId, communityId, stepId: 'patrol', role: 'grid-worker', task, severity: 'III', ...over });

beforeAll(async () => {
  nc = await connectAdmin('personnel-int-test');
  db = mongoose.createConnection(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017', { dbName: 'lifeline_personnel' });
  await db.asPromise();
  const seeded = await call(nc, personnel.seed, {
    units: [
      { id: districtId, level: 'district', name: { zh: '测试区', en: 'Test district' } },
      { id: `s-it-${run}`, level: 'sub-district', parentId: districtId, name: { zh: '测试街道', en: 'Test sub-district' } },
      { id: communityId, level: 'community', parentId: `s-it-${run}`, name: { zh: '测试社区', en: 'Test community' }, population: 1200 },
    ],
    people: [
      { id: pid('a'), type: 'grid-worker', communityId, name: CLEAR_NAME, phone: CLEAR_PHONE },
      { id: pid('b'), type: 'grid-worker', communityId, name: '测试李四', phone: '13900002222' },
      { id: pid('c'), type: 'grid-worker', communityId, name: '测试王五', phone: '13900003333' },
      { id: pid('d'), type: 'grid-worker', communityId, name: '测试赵六', phone: '13900004444', available: false },
      { id: pid('s1'), type: 'property-staff', communityId, name: '测试物业一', phone: '13900006666' },
      { id: pid('s2'), type: 'property-staff', communityId, name: '测试物业二', phone: '13900007777' },
      { id: pid('v'), type: 'volunteer', communityId, skills: ['first-aid'], name: '测试志愿者', phone: '13900005555' },
    ],
  });
  expect(seeded).toEqual({ units: 3, people: 7 });
});

afterAll(async () => {
  await nc?.drain();
  await db?.close();
});

describe('personnel over NATS', () => {
  it('resolves a community to its district with its population, and names unknown ids', async () => {
    const resolved = await call(nc, personnel.resolveArea, { area: { communityIds: [communityId] } });
    expect(resolved).toEqual({ districts: [{ districtId, communities: [{ communityId, population: 1200, subDistrictId: `s-it-${run}` }] }] });
    expect(await call(nc, personnel.resolveArea, { area: { districtIds: [districtId] } })).toEqual(resolved);
    const err = await expectError(call(nc, personnel.resolveArea, { area: { communityIds: [communityId, `missing-${run}`] } }), 'not_found');
    expect(err.details).toEqual({ communityIds: [`missing-${run}`], districtIds: [] });
  });

  it('gives a task exactly one owner, and a repeat with the same key returns the same task', async () => {
    const first = await dispatch('t1');
    expect(first).toMatchObject({ incidentId, communityId, status: 'assigned', ownerId: pid('a'), owners: [pid('a')], drill: false, severity: 'III' });
    const again = await dispatch('t1');
    expect(again).toEqual(first);
    const stored = await db.collection('tasks').countDocuments({ idempotencyKey: `it-${run}:t1` });
    expect(stored).toBe(1);
  });

  it('gives the next task of the same incident to someone not already busy in it', async () => {
    const second = await dispatch('t2');
    expect(second.ownerId).toBe(pid('b'));
  });

  it('never names one person for two open tasks of an incident, even when dispatches race', async () => {
    const raceIncident = `inc-race-${run}`;
    const raced = await Promise.all(
      ['r1', 'r2', 'r3', 'r4', 'r1', 'r1'].map((k) => dispatch(k, { incidentId: raceIncident, stepId: 'staff', role: 'property-staff' })),
    );
    const byTask = new Map(raced.map((t) => [t.taskId, t]));
    expect(byTask.size).toBe(4);
    expect(raced.filter((t) => t.taskId === raced[0]!.taskId).every((t) => t.ownerId === raced[0]!.ownerId)).toBe(true);
    const owners = [...byTask.values()].flatMap((t) => (t.ownerId ? [t.ownerId] : []));
    expect(owners.sort()).toEqual([pid('s1'), pid('s2')]);
    expect([...byTask.values()].filter((t) => t.status === 'unassigned')).toHaveLength(2);
  });

  it('refuses an acknowledgement from anyone but the current owner', async () => {
    const t = await dispatch('t1');
    await expectError(call(nc, personnel.acknowledge, { taskId: t.taskId, personId: pid('b') }), 'forbidden');
    await expectError(call(nc, personnel.complete, { taskId: t.taskId, personId: pid('a'), hours: 1 }), 'invalid_state');
  });

  it('falls back to the next candidate, never a previous or busy one, once per key', async () => {
    const t = await dispatch('t1');
    const moved = await call(nc, personnel.fallback, { idempotencyKey: `it-${run}:t1:fb1`, taskId: t.taskId, reason: 'no acknowledgement in time' });
    expect(moved).toMatchObject({ status: 'assigned', ownerId: pid('c'), owners: [pid('a'), pid('c')] });
    expect(await call(nc, personnel.fallback, { idempotencyKey: `it-${run}:t1:fb1`, taskId: t.taskId, reason: 'retry' })).toEqual(moved);
    await expectError(call(nc, personnel.acknowledge, { taskId: t.taskId, personId: pid('a') }), 'forbidden');

    const nobody = await call(nc, personnel.fallback, { idempotencyKey: `it-${run}:t1:fb2`, taskId: t.taskId, reason: 'no acknowledgement in time' });
    expect(nobody.status).toBe('timed-out');
    expect(nobody.ownerId).toBeUndefined();
  });

  it('leaves a task unassigned (not an error) when nobody fits, and frees the previous owner', async () => {
    const t = await dispatch('t3', { stepId: 'first-aid', role: 'volunteer', skill: 'triage' });
    expect(t).toMatchObject({ status: 'unassigned', owners: [] });
    const freed = await dispatch('t4');
    expect(freed.ownerId).toBe(pid('a'));
  });

  it('lets the owner acknowledge and complete; repeats are harmless', async () => {
    const t = await dispatch('t2');
    const acked = await call(nc, personnel.acknowledge, { taskId: t.taskId, personId: pid('b') });
    expect(acked.status).toBe('acknowledged');
    expect(await call(nc, personnel.acknowledge, { taskId: t.taskId, personId: pid('b') })).toEqual(acked);
    const done = await call(nc, personnel.complete, { taskId: t.taskId, personId: pid('b'), hours: 3 });
    expect(done).toMatchObject({ status: 'done', hours: 3 });
    expect(await call(nc, personnel.complete, { taskId: t.taskId, personId: pid('b'), hours: 5 })).toEqual(done);
  });

  it('answers bad input with a structured error and writes nothing', async () => {
    const before = await db.collection('tasks').countDocuments({ incidentId });
    const reply = await rawRequest(personnel.dispatch.subject, { idempotencyKey: `it-${run}:bad`, incidentId, communityId, stepId: 'patrol', role: 'wizard', task, severity: 'V' });
    expect(reply.ok).toBe(false);
    expect(reply.error?.code).toBe('invalid_request');
    expect(reply.error?.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'role' }), expect.objectContaining({ path: 'severity' })]));
    expect((await rawRequest(personnel.seed.subject, { people: [{ id: 'Bad Id', name: '', phone: 'x' }] })).error?.code).toBe('invalid_request');
    await expectError(dispatch('unknown-community', { communityId: `nowhere-${run}` }), 'not_found');
    expect(await db.collection('tasks').countDocuments({ incidentId })).toBe(before);
    expect(await db.collection('people').countDocuments({ _id: 'Bad Id' } as never)).toBe(0);
  });

  it('keeps names and phones only sealed in the store', async () => {
    const raw = await db.collection('people').findOne({ _id: pid('a') } as never);
    expect(raw).not.toBeNull();
    expect(String(raw!.name).startsWith('pii1:')).toBe(true);
    expect(String(raw!.phone).startsWith('pii1:')).toBe(true);
    expect(JSON.stringify(raw)).not.toContain(CLEAR_NAME);
    expect(JSON.stringify(raw)).not.toContain(CLEAR_PHONE);
  });

  it('has simulated responders acknowledge and complete a drill task', async () => {
    const t = await call(nc, personnel.dispatch, {
      idempotencyKey: `it-${run}:drill-1`,
      incidentId: drillIncidentId,
      communityId,
      stepId: 'patrol',
      role: 'grid-worker',
      task,
      severity: 'IV',
      drill: true,
    });
    expect(t).toMatchObject({ status: 'assigned', drill: true });
    const stored = await pollUntil(`drill task ${t.taskId} is done`, () => db.collection('tasks').findOne({ _id: t.taskId } as never), { timeoutMs: 30_000, everyMs: 200, until: (doc) => doc?.status === 'done' });
    expect(stored).toMatchObject({ status: 'done', hours: 2 });
    expect(stored?.acknowledgedAt).toBeInstanceOf(Date);
    const summary = await call(nc, personnel.summary, { incidentId: drillIncidentId });
    expect(summary).toMatchObject({ tasks: 1, acknowledged: 1, done: 1, byCommunity: { [communityId]: { tasks: 1, acknowledged: 1, done: 1 } } });
  });

  it('sums the incident up and stands every open task down, once per key', async () => {
    const summary = await call(nc, personnel.summary, { incidentId });
    expect(summary).toMatchObject({ incidentId, tasks: 4, acknowledged: 1, done: 1, timedOut: 2, fallbacks: 1 });
    expect(summary.byCommunity[communityId]).toEqual({ tasks: 4, acknowledged: 1, done: 1 });

    const result = await call(nc, personnel.standDown, { idempotencyKey: `it-${run}:stand-down`, incidentId });
    expect(result).toEqual({ incidentId, stoodDown: 3 });
    expect(await call(nc, personnel.standDown, { idempotencyKey: `it-${run}:stand-down`, incidentId })).toEqual(result);
    const open = await db.collection('tasks').countDocuments({ incidentId, status: { $in: ['assigned', 'acknowledged', 'in-progress', 'unassigned'] } });
    expect(open).toBe(0);
    expect(await db.collection('claims').countDocuments({ incidentId })).toBe(0);
  });
});
