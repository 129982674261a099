import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Connection } from 'mongoose';
import { incentives, type incentivesContract, LifelineError, personnelEvents, type RequestOf, STREAMS } from '@lifeline/contracts';
import {
  call,
  connectMongo,
  connectNats,
  createHttpApp,
  createLogger,
  decodeJson,
  encodeJson,
  EventPublisher,
  finishHttpApp,
  listen,
  loadConfig,
  PiiVault,
  ServiceEnv,
  type NatsConnection,
} from '@lifeline/platform';
import { COMPLETIONS_CONSUMER } from '../src/consumer';
import { GENESIS_HASH } from '../src/domain/ledger';
import { ledgerStore } from '../src/model/ledger';
import { registerRoutes } from '../src/http';
import { pollUntil } from '@lifeline/testkit';

/** The integration story of the incentives service, told against the running service over NATS and JetStream. */
type AwardRequest = RequestOf<typeof incentives.award>;
type Task = incentivesContract.CompletedTask;
const run = randomUUID().slice(0, 8);
const ids = (what: string) => `${what}-${run}-${randomUUID().slice(0, 6)}`;
const HOUR = 3600_000;
// The store is shared by every engineer's stack on a small machine: allow for a slow one.
jest.setTimeout(180_000);

let nc: NatsConnection;
let db: Connection;
let http: Server;
let httpUrl: string;

beforeAll(async () => {
  const config = loadConfig(ServiceEnv);
  nc = await connectNats(config, 'incentives-int-test');
  db = await connectMongo(config.MONGO_URL, 'lifeline_incentives');
  const app = createHttpApp();
  const log = createLogger('incentives-int-test', 'silent');
  registerRoutes(app, { name: 'incentives', config, log, nc, db, events: new EventPublisher(nc), vault: new PiiVault(config.LIFELINE_PII_KEY) });
  finishHttpApp(app, log);
  http = await listen(app, 0);
  const address = http.address();
  httpUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  http?.close();
  await db?.close();
  await nc?.drain();
});

type StoredEntry = { _id: string; participantId: string; seq: number; prevHash: string; hash: string; points: number; balance: number; cause: string; basis?: Record<string, unknown> };
const entriesCollection = () => db.collection<StoredEntry>('ledger_entries');
const chainOf = (participantId: string) => entriesCollection().find({ participantId }).sort({ seq: 1 }).toArray();
const balanceOf = (participantId: string) => call(nc, incentives.balance, { participantId });
const award = (req: AwardRequest) => call(nc, incentives.award, req, { timeoutMs: 60_000 });

const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000) => pollUntil(what, probe, { timeoutMs, everyMs: 100 });

function task(over: Partial<Task> = {}): Task {
  const ownerId = over.ownerId ?? ids('p');
  return { taskId: ids('task'), incidentId: `inc-${run}`, communityId: 'c-int', stepId: 'door-knock', role: 'volunteer', ownerId, owners: [ownerId], status: 'done', drill: false, hours: 2, ...over };
}

/** Publish a personnel task event the way personnel does (envelope + Nats-Msg-Id); `msgId` differs on a replay. */
async function publishTask(kind: 'assigned' | 'completed', t: Task, at: Date, msgId = `${t.taskId}:${kind}`): Promise<void> {
  const def = kind === 'assigned' ? personnelEvents.assigned : personnelEvents.completed;
  const envelope = { id: `${t.taskId}:${kind}`, type: `personnel.${def.name}`, time: at.toISOString(), incidentId: t.incidentId, data: t };
  await jetstream(nc).publish(def.subject, encodeJson(envelope), { msgID: msgId });
}

/** A task assigned `hoursAgo` hours ago and completed now, as personnel would report it. */
async function completeTask(t: Task, hoursAgo = 3): Promise<Task> {
  await publishTask('assigned', t, new Date(Date.now() - hoursAgo * HOUR));
  await publishTask('completed', t, new Date());
  return t;
}

const entryFor = (taskId: string) => waitFor(`ledger entry of ${taskId}`, () => entriesCollection().findOne({ cause: `task-completed:${taskId}` }));

/** The completions consumer has read and acknowledged everything (no redelivery pending). */
async function consumerSettled(): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await waitFor('the completions consumer to settle', async () => {
    const info = await jsm.consumers.info(STREAMS.events.name, COMPLETIONS_CONSUMER);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, 40_000);
}

function awardFor(t: Task, over: Partial<AwardRequest> = {}): AwardRequest {
  return {
    idempotencyKey: `wf-${run}:award:${t.taskId}`,
    incidentId: t.incidentId,
    severity: 'II',
    cause: { kind: 'task-completed', taskId: t.taskId },
    participantId: t.ownerId!,
    personType: t.role,
    hours: t.hours!,
    ...over,
  };
}

async function raw(subject: string, body: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string; details?: { path: string }[] } }> {
  return decodeJson((await nc.request(subject, encodeJson(body), { timeout: 15_000 })).data) as never;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of several shapes; each assertion pins the shape it reads
async function getJson(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${httpUrl}${path}`);
  return { status: res.status, body: await res.json() };
}

const operator = 'op-int';
const manual = (participantId: string, points: number, key = ids('manual')) =>
  call(nc, incentives.manualAward, { idempotencyKey: key, participantId, participantType: 'resident-volunteer', points, reason: 'seed balance for the integration test', operatorId: operator }, { timeoutMs: 60_000 });

describe('points come from verified completions', () => {
  it('a task-completed event credits its owner once, however often it is replayed or redelivered', async () => {
    const t = task({ severity: 'II' });
    await completeTask(t);
    // A replay: the same event published again under new message ids (JetStream only dedupes identical ids).
    await publishTask('completed', t, new Date(), `${t.taskId}:completed:replay-1`);
    await publishTask('completed', t, new Date(), `${t.taskId}:completed:replay-2`);
    const first = await entryFor(t.taskId);
    await consumerSettled();

    expect(first).toMatchObject({ participantId: t.ownerId, points: 30, balance: 30, seq: 1, prevHash: GENESIS_HASH });
    expect(await entriesCollection().countDocuments({ cause: `task-completed:${t.taskId}` })).toBe(1);
    expect(await balanceOf(t.ownerId!)).toEqual({ participantId: t.ownerId, balance: 30, entries: 1 });
    expect(await db.collection('completions').countDocuments({ _id: t.taskId as never })).toBe(1);

    // The workflow's award step for the same task returns the consumer's entry.
    const settled = await award(awardFor(t));
    expect(settled).toMatchObject({ entryId: first._id, points: 30, balance: 30 });
    expect(await balanceOf(t.ownerId!)).toEqual({ participantId: t.ownerId, balance: 30, entries: 1 });
  });

  it('a completion whose severity nobody named waits for the award step, which settles it at the named severity; the redelivery adds nothing', async () => {
    const t = task({ incidentId: ids('inc') });
    await completeTask(t);
    await waitFor('the completion to be recorded', () => db.collection('completions').findOne({ _id: t.taskId as never }));
    expect(await entriesCollection().countDocuments({ participantId: t.ownerId })).toBe(0);

    const entry = await award(awardFor(t, { severity: 'I' }));
    expect(entry).toMatchObject({ participantId: t.ownerId, points: 40, balance: 40, communityId: 'c-int', seq: 1 });
    await consumerSettled(); // the waiting event came back, found the entry and was acknowledged
    expect(await chainOf(t.ownerId!)).toHaveLength(1);
    expect(await balanceOf(t.ownerId!)).toMatchObject({ balance: 40, entries: 1 });
  });

  it('ten concurrent award calls for one completed task credit one entry', async () => {
    const t = await completeTask(task({ incidentId: ids('inc') }));
    await waitFor('the completion', () => db.collection('completions').findOne({ _id: t.taskId as never }));
    const results = await Promise.all(Array.from({ length: 10 }, () => award(awardFor(t))));
    expect(new Set(results.map((r) => r.entryId)).size).toBe(1);
    expect(await chainOf(t.ownerId!)).toHaveLength(1);
  });

  it('completions of different tasks for one participant chain on consecutive seqs and verify', async () => {
    const ownerId = ids('p');
    const tasks = Array.from({ length: 6 }, (_, i) => task({ ownerId, owners: [ownerId], hours: i + 1, severity: 'IV' }));
    await Promise.all(tasks.map((t) => completeTask(t, 10)));
    await Promise.all(tasks.map((t) => entryFor(t.taskId)));
    const chain = await chainOf(ownerId);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // v2 caps a resident's task points at 200 a day: 10+20+30+40+50+60 = 210 → the last award is cut.
    expect(chain.reduce((n, e) => n + e.points, 0)).toBe(200);
    expect(chain.some((e) => e.basis?.capped === true)).toBe(true);
    expect(await call(nc, incentives.verify, { participantId: ownerId })).toEqual({ ok: true, participants: 1, entries: 6, broken: [] });
  });

  it('an award for a task personnel never reported completed is refused, flagged, and writes nothing', async () => {
    const t = task();
    await consumerSettled();
    await expect(award(awardFor(t))).rejects.toMatchObject({ code: 'invalid_state' } satisfies Partial<LifelineError>);
    expect(await chainOf(t.ownerId!)).toHaveLength(0);
    const { flags } = await call(nc, incentives.flags, { participantId: t.ownerId! });
    expect(flags.map((f) => [f.kind, f.taskId])).toEqual([['unverified-task', t.taskId]]);
  });

  it('an award naming someone other than the owner, or another community, is refused and flagged', async () => {
    const t = await completeTask(task({ incidentId: ids('inc'), severity: 'III' }));
    await entryFor(t.taskId);
    const impostor = ids('p');
    await expect(award(awardFor(t, { participantId: impostor }))).rejects.toMatchObject({ code: 'conflict' });
    await expect(award(awardFor(t, { communityId: 'c-elsewhere' }))).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await balanceOf(impostor)).toEqual({ participantId: impostor, balance: 0, entries: 0 });
    const { flags } = await call(nc, incentives.flags, { incidentId: t.incidentId });
    expect(flags.map((f) => f.kind).sort()).toEqual(['outside-area', 'wrong-participant']);
  });

  it('hours that do not fit between assignment and completion are flagged and paid only as far as they fit', async () => {
    const t = task({ incidentId: ids('inc'), hours: 8, severity: 'IV' });
    await completeTask(t, 1);
    const entry = await entryFor(t.taskId);
    expect(entry.basis).toMatchObject({ hours: 1.5, reportedHours: 8 });
    expect(entry.points).toBe(15);
    await waitFor('the flag', async () => (await call(nc, incentives.flags, { incidentId: t.incidentId })).flags.length > 0);
    const summary = await call(nc, incentives.summary, { incidentId: t.incidentId });
    expect(summary).toMatchObject({ awards: 1, points: 15, participants: 1, volunteerHours: 1.5, flagsRaised: 1, topParticipants: [t.ownerId], pointsByParticipantType: { 'resident-volunteer': 15 } });
  });
});

describe('verify', () => {
  it('names an entry edited directly in the store, through the endpoint and the HTTP route', async () => {
    const participantId = ids('p');
    for (let i = 0; i < 3; i++) await manual(participantId, 30);
    expect(await call(nc, incentives.verify, { participantId })).toMatchObject({ ok: true, entries: 3 });

    const edited = (await chainOf(participantId))[1]!;
    await entriesCollection().updateOne({ _id: edited._id }, { $set: { points: 3000, balance: 3030 } });
    expect(await call(nc, incentives.verify, { participantId })).toEqual({
      ok: false,
      participants: 1,
      entries: 3,
      broken: [{ participantId, seq: 2, entryId: edited._id, reason: 'hash does not match the entry’s contents' }],
    });
    const everyone = await call(nc, incentives.verify, {}, { timeoutMs: 60_000 });
    expect(everyone.ok).toBe(false);
    expect(everyone.broken).toContainEqual({ participantId, seq: 2, entryId: edited._id, reason: 'hash does not match the entry’s contents' });
    expect((await getJson(`/v1/ledger/${participantId}/verify`)).body).toMatchObject({ ok: false, firstBrokenSeq: 2, firstBrokenEntryId: edited._id });
  });

  it('notices entries deleted from the end of a chain', async () => {
    const participantId = ids('p');
    for (let i = 0; i < 2; i++) await manual(participantId, 10);
    await entriesCollection().deleteOne({ participantId, seq: 2 });
    expect(await call(nc, incentives.verify, { participantId })).toMatchObject({ ok: false, broken: [{ participantId, seq: 2, entryId: null }] });
  });
});

describe('redemption', () => {
  const restock = (itemId: string, points: number, add: number) => call(nc, incentives.restock, { idempotencyKey: ids('restock'), itemId, title: { zh: '雨伞', en: 'Umbrella' }, points, add });
  const redeem = (participantId: string, itemId: string, quantity = 1) => call(nc, incentives.redeem, { idempotencyKey: ids('redeem'), participantId, itemId, quantity }, { timeoutMs: 60_000 });

  it('twenty-five concurrent redemptions cannot overdraw a balance', async () => {
    const participantId = ids('p');
    const itemId = ids('item');
    await restock(itemId, 10, 1000);
    await manual(participantId, 100);
    const outcomes = await Promise.allSettled(Array.from({ length: 25 }, () => redeem(participantId, itemId)));
    const redeemed = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as LifelineError).code] : []));
    expect(redeemed).toHaveLength(10);
    expect(new Set(refused)).toEqual(new Set(['invalid_state']));
    expect(await balanceOf(participantId)).toEqual({ participantId, balance: 0, entries: 11 });
    expect((await call(nc, incentives.catalogue, {})).items.find((i) => i.itemId === itemId)?.stock).toBe(990);
    expect(await call(nc, incentives.verify, { participantId })).toMatchObject({ ok: true, entries: 11 });
    expect(Math.min(...(await chainOf(participantId)).map((e) => e.balance))).toBe(0);
  });

  it('debits racing from separate replicas meet at the unique (participant, seq) insert and never overdraw', async () => {
    const participantId = ids('p');
    await manual(participantId, 30);
    // One store per debit: no shared in-process queue, as if each came from its own replica.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => {
        const cause = `redeem:race-${run}-${i}`;
        return ledgerStore(db).append(participantId, cause, { participantId, kind: 'redeem', points: -10, cause, idempotencyKey: `race-${run}-${participantId}-${i}` });
      }),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as LifelineError).code] : []))).toEqual(Array(3).fill('invalid_state'));
    const chain = await chainOf(participantId);
    expect(chain.map((e) => e.balance)).toEqual([30, 20, 10, 0]);
    expect(await call(nc, incentives.verify, { participantId })).toMatchObject({ ok: true, entries: 4 });
  }, 120_000);

  it('concurrent redemptions never oversell stock, and a refused one gives nothing back twice', async () => {
    const itemId = ids('item');
    await restock(itemId, 5, 3);
    const people = Array.from({ length: 10 }, () => ids('p'));
    for (const p of people) await manual(p, 50);
    const outcomes = await Promise.allSettled(people.map((p) => redeem(p, itemId)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as LifelineError).code] : []))).toEqual(Array(7).fill('insufficient_stock'));
    expect((await call(nc, incentives.catalogue, {})).items.find((i) => i.itemId === itemId)?.stock).toBe(0);
    const balances = await Promise.all(people.map((p) => balanceOf(p)));
    expect(balances.filter((b) => b.balance === 45)).toHaveLength(3);
    expect(balances.filter((b) => b.balance === 50)).toHaveLength(7);
  });

  it('a repeated redemption returns the first result; a statement shows the totals', async () => {
    const participantId = ids('p');
    const itemId = ids('item');
    await restock(itemId, 20, 5);
    await manual(participantId, 70);
    const req = { idempotencyKey: ids('redeem'), participantId, itemId, quantity: 2 };
    const first = await call(nc, incentives.redeem, req);
    expect(await call(nc, incentives.redeem, req)).toEqual(first);
    expect(first).toMatchObject({ points: 40, entry: { kind: 'redeem', points: -40, balance: 30 } });
    expect(await call(nc, incentives.statement, { participantId })).toMatchObject({ participantId, balance: 30, awarded: 70, redeemed: 40, entries: [{ kind: 'award' }, { kind: 'redeem' }] });
  });
});

describe('operators, honours and leaderboards', () => {
  it('a manual award needs a reason and writes an audit entry', async () => {
    const participantId = ids('p');
    const noReason = await raw(incentives.manualAward.subject, { idempotencyKey: ids('manual'), participantId, participantType: 'enterprise', points: 50, reason: '', operatorId: operator });
    expect(noReason).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(noReason.error!.details!.map((d) => d.path)).toEqual(['reason']);
    expect(await balanceOf(participantId)).toEqual({ participantId, balance: 0, entries: 0 });

    const entry = await manual(participantId, 50);
    const audit = await db.collection('audit_entries').findOne({ entryId: entry.entryId });
    expect(audit).toMatchObject({ action: 'manual-award', operatorId: operator, participantId, points: 50 });
  });

  it('proposes honour candidates from an incident’s figures and credits a confirmed honour once', async () => {
    const incidentId = ids('inc');
    const [a, b, c] = [ids('p'), ids('p'), ids('p')];
    for (const [ownerId, hours] of [[a, 5], [b, 3], [c, 1]] as const) await completeTask(task({ incidentId, ownerId, owners: [ownerId], hours, severity: 'III' }), 6);
    await waitFor('three awards', async () => (await entriesCollection().countDocuments({ incidentId })) === 3);
    const enterprise = ids('ent');
    const { candidates } = await call(nc, incentives.honourCandidates, {
      incidentId,
      donations: [{ donorId: enterprise, donorType: 'enterprise', units: 80 }],
      households: [{ householdId: ids('hh'), memberIds: [b, c] }],
    });
    expect(candidates.filter((x) => x.kind === 'model-individual').map((x) => x.participantId)).toEqual([a, b]); // c worked 1 h, under the 2 h minimum
    expect(candidates.filter((x) => x.kind === 'caring-enterprise').map((x) => [x.participantId, x.figures.donatedUnits])).toEqual([[enterprise, 80]]);
    expect(candidates.find((x) => x.kind === 'model-family')).toBeUndefined(); // 3 + 1 h is below the 6 h minimum

    await expect(call(nc, incentives.confirmHonour, { idempotencyKey: ids('honour'), incidentId, kind: 'model-individual', participantId: c, operatorId: operator, citation: 'not proposed' })).rejects.toMatchObject({ code: 'invalid_state' });
    const confirm = { idempotencyKey: ids('honour'), incidentId, kind: 'model-individual' as const, participantId: a, operatorId: operator, citation: 'Five hours of door-knocking' };
    const honour = await call(nc, incentives.confirmHonour, confirm);
    expect(await call(nc, incentives.confirmHonour, { ...confirm, idempotencyKey: ids('honour') })).toEqual(honour);
    expect(honour.entry).toMatchObject({ participantId: a, kind: 'award', points: 100, cause: `honour:${incidentId}:model-individual:${a}` });
    expect(await call(nc, incentives.summary, { incidentId })).toMatchObject({ honoursConfirmed: 1, volunteerHours: 9, topParticipants: [a, b, c] });
  });

  it('ranks participants per incident and per community', async () => {
    const incidentId = ids('inc');
    const communityId = ids('c');
    const [p1, p2] = [ids('p'), ids('p')];
    await completeTask(task({ incidentId, communityId, ownerId: p1, owners: [p1], hours: 1, severity: 'IV' }));
    await completeTask(task({ incidentId, communityId, ownerId: p2, owners: [p2], hours: 3, severity: 'IV' }));
    await completeTask(task({ incidentId, communityId, ownerId: p1, owners: [p1], hours: 1, severity: 'IV' }));
    await waitFor('three awards', async () => (await entriesCollection().countDocuments({ incidentId })) === 3);
    const expected = [
      { rank: 1, participantId: p2, points: 30, awards: 1 },
      { rank: 2, participantId: p1, points: 20, awards: 2 },
    ];
    expect((await call(nc, incentives.leaderboard, { incidentId })).leaders).toEqual(expected);
    expect((await call(nc, incentives.leaderboard, { communityId })).leaders).toEqual(expected);
    expect((await getJson(`/v1/leaderboard?communityId=${communityId}`)).body.leaders).toEqual(expected);
    expect((await getJson('/v1/leaderboard?incidentId=NOPE')).status).toBe(400);
    // An unknown (e.g. mistyped) parameter is refused, not ignored into a wider answer.
    expect((await getJson(`/v1/leaderboard?communityId=${communityId}&comunity=typo`)).status).toBe(400);
  });
});

describe('bad input', () => {
  it('gets a structured error at every endpoint and writes nothing', async () => {
    const participantId = ids('p');
    const cases: [string, unknown, string][] = [
      [incentives.award.subject, { ...awardFor(task({ ownerId: participantId })), hours: 0 }, 'hours'],
      [incentives.award.subject, { ...awardFor(task({ ownerId: participantId })), cause: { kind: 'bonus', points: 1000 } }, 'cause.kind'],
      [incentives.manualAward.subject, { idempotencyKey: ids('m'), participantId, participantType: 'resident-volunteer', points: -5, reason: 'a long enough reason', operatorId: operator }, 'points'],
      [incentives.redeem.subject, { idempotencyKey: ids('r'), participantId, itemId: 'x', quantity: 0 }, 'quantity'],
      [incentives.restock.subject, { idempotencyKey: ids('s'), itemId: 'Bad Item', title: { zh: '伞', en: 'Umbrella' }, points: 5, add: 1 }, 'itemId'],
      [incentives.confirmHonour.subject, { idempotencyKey: ids('h'), incidentId: 'inc-x', kind: 'hero', participantId, operatorId: operator, citation: 'x' }, 'kind'],
      [incentives.leaderboard.subject, {}, 'incidentId'],
      [incentives.verify.subject, { participantId: 'Not A Slug' }, 'participantId'],
    ];
    for (const [subject, body, path] of cases) {
      const reply = await raw(subject, body);
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      expect(reply.error!.details!.map((d) => d.path)).toContain(path);
    }
    const nothing = await raw(incentives.redeem.subject, { idempotencyKey: ids('r'), participantId, itemId: ids('no-such-item'), quantity: 1 });
    expect(nothing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await balanceOf(participantId)).toEqual({ participantId, balance: 0, entries: 0 });
    expect(await entriesCollection().countDocuments({ participantId })).toBe(0);
  });
});
