import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Connection } from 'mongoose';
import { incentives, type incentivesContract, LifelineError, type RequestOf } from '@lifeline/contracts';
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
import { chainNext, GENESIS_HASH } from '../src/domain/ledger';
import { registerRoutes } from '../src/http';

/** The integration story of the incentives service, told against the running service over NATS. */
type AwardRequest = RequestOf<typeof incentives.award>;
const run = randomUUID().slice(0, 8);
const ids = (what: string) => `${what}-${run}-${randomUUID().slice(0, 6)}`;
const EVENTS_SUBJECT = 'lifeline.evt.incentives.points-awarded';

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

const entriesCollection = () => db.collection<{ _id: string; participantId: string; seq: number; prevHash: string; hash: string; points: number; balance: number; cause: string }>('ledger_entries');
const chainOf = (participantId: string) => entriesCollection().find({ participantId }).sort({ seq: 1 }).toArray();

function awardRequest(over: Partial<AwardRequest> & { taskId?: string } = {}): AwardRequest {
  const { taskId = ids('task'), ...rest } = over;
  return {
    idempotencyKey: `wf-${run}:award:${taskId}`,
    incidentId: `inc-${run}`,
    severity: 'II',
    cause: { kind: 'task-completed', taskId },
    participantId: ids('p'),
    personType: 'volunteer',
    hours: 2,
    ...rest,
  };
}

const award = (req: AwardRequest) => call(nc, incentives.award, req);
const balanceOf = (participantId: string) => call(nc, incentives.balance, { participantId });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of several shapes; each assertion pins the shape it reads
async function getJson(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${httpUrl}${path}`);
  return { status: res.status, body: await res.json() };
}

/** points-awarded events for a participant since the stream sequence `fromSeq`, read with the JetStream API. */
async function awardedEventsFor(participantId: string, fromSeq: number): Promise<{ id: string; data: incentivesContract.LedgerEntry }[]> {
  const found: { id: string; data: incentivesContract.LedgerEntry }[] = [];
  for (let seq = fromSeq; ; ) {
    const reply = decodeJson((await nc.request('$JS.API.STREAM.MSG.GET.LIFELINE_EVENTS', encodeJson({ seq, next_by_subj: EVENTS_SUBJECT }))).data) as {
      message?: { seq: number; data: string };
    };
    if (!reply.message) return found;
    const envelope = JSON.parse(Buffer.from(reply.message.data, 'base64').toString('utf8'));
    if (envelope.data.participantId === participantId) found.push(envelope);
    seq = reply.message.seq + 1;
  }
}

async function eventsStreamLastSeq(): Promise<number> {
  const info = decodeJson((await nc.request('$JS.API.STREAM.INFO.LIFELINE_EVENTS')).data) as { state: { last_seq: number } };
  return info.state.last_seq;
}

describe('incentives over NATS', () => {
  it('replaying the same task-completed award adds points once', async () => {
    const fromSeq = (await eventsStreamLastSeq()) + 1;
    const req = awardRequest();
    const first = await award(req);
    expect(first).toMatchObject({ participantId: req.participantId, kind: 'award', points: 30, balance: 30, cause: `task-completed:${req.cause.taskId}` });

    const replays = [await award(req), await award({ ...req, idempotencyKey: `${req.idempotencyKey}:retry`, hours: 9 })];
    for (const r of replays) expect(r).toEqual(first);
    expect(await balanceOf(req.participantId)).toEqual({ participantId: req.participantId, balance: 30, entries: 1 });
    expect(await entriesCollection().countDocuments({ cause: first.cause })).toBe(1);

    const events = await awardedEventsFor(req.participantId, fromSeq);
    expect(events.map((e) => e.id)).toEqual([first.entryId]);
    expect(events[0]!.data).toEqual(first);
  });

  it('ten concurrent identical awards credit one entry', async () => {
    const fromSeq = (await eventsStreamLastSeq()) + 1;
    const req = awardRequest({ severity: 'I', hours: 3 });
    const results = await Promise.all(Array.from({ length: 10 }, () => award(req)));
    expect(new Set(results.map((r) => r.entryId)).size).toBe(1);
    expect(await chainOf(req.participantId)).toHaveLength(1);
    expect(await balanceOf(req.participantId)).toEqual({ participantId: req.participantId, balance: 60, entries: 1 });
    expect((await awardedEventsFor(req.participantId, fromSeq)).map((e) => e.id)).toEqual([results[0]!.entryId]);
  });

  it('two different tasks for one participant chain correctly and the balance is their sum', async () => {
    const participantId = ids('p');
    const a = await award(awardRequest({ participantId, severity: 'IV', hours: 1 }));
    const b = await award(awardRequest({ participantId, severity: 'I', hours: 1 }));
    const [first, second] = await chainOf(participantId);
    expect(first).toMatchObject({ _id: a.entryId, seq: 1, prevHash: GENESIS_HASH, hash: a.hash, balance: 10 });
    expect(second).toMatchObject({ _id: b.entryId, seq: 2, prevHash: a.hash, hash: b.hash, balance: 30 });
    expect(await balanceOf(participantId)).toEqual({ participantId, balance: a.points + b.points, entries: 2 });

    const ledger = await getJson(`/v1/ledger/${participantId}`);
    expect(ledger.body.entries.map((e: { seq: number; entryId: string }) => [e.seq, e.entryId])).toEqual([
      [1, a.entryId],
      [2, b.entryId],
    ]);
  });

  it('concurrent awards of different tasks for one participant take consecutive seqs', async () => {
    const participantId = ids('p');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => award(awardRequest({ participantId, hours: i + 1 }))));
    const chain = await chainOf(participantId);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const total = results.reduce((n, r) => n + r.points, 0);
    expect(await balanceOf(participantId)).toEqual({ participantId, balance: total, entries: 8 });
    expect((await getJson(`/v1/ledger/${participantId}/verify`)).body).toMatchObject({ ok: true, entries: 8, balance: total });
  });

  it('editing a past entry directly in the database makes verify report it', async () => {
    const participantId = ids('p');
    for (let i = 0; i < 3; i++) await award(awardRequest({ participantId }));
    expect((await getJson(`/v1/ledger/${participantId}/verify`)).body).toEqual({ participantId, ok: true, entries: 3, firstBrokenSeq: null, reason: null, balance: 90 });

    await entriesCollection().updateOne({ participantId, seq: 2 }, { $set: { points: 3000, balance: 3030 } });
    const verify = await getJson(`/v1/ledger/${participantId}/verify`);
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ participantId, ok: false, firstBrokenSeq: 2 });
  });

  it('an entry whose head was never advanced (a crash mid-append) is folded in before the next award', async () => {
    const participantId = ids('p');
    const a = await award(awardRequest({ participantId }));
    const orphan = chainNext({ seq: 1, hash: a.hash, balance: a.balance }, { participantId, kind: 'award', points: 7, cause: `task-completed:${ids('task')}`, incidentId: `inc-${run}` });
    await entriesCollection().insertOne({ _id: ids('led'), ...orphan, idempotencyKey: ids('key'), createdAt: new Date() } as never);

    expect(await balanceOf(participantId)).toEqual({ participantId, balance: 37, entries: 2 });
    const c = await award(awardRequest({ participantId }));
    expect(c.balance).toBe(67);
    const chain = await chainOf(participantId);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(chain[2]!.prevHash).toBe(orphan.hash);
    expect((await getJson(`/v1/ledger/${participantId}/verify`)).body).toMatchObject({ ok: true, entries: 3 });
  });

  it('bad input gets a structured error and changes nothing', async () => {
    const req = awardRequest();
    const raw = async (body: unknown) => decodeJson((await nc.request(incentives.award.subject, encodeJson(body), { timeout: 10_000 })).data) as { ok: boolean; error?: { code: string; details?: { path: string }[] } };

    const zeroHours = await raw({ ...req, hours: 0 });
    expect(zeroHours).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(zeroHours.error!.details!.map((d) => d.path)).toEqual(['hours']);

    const pointsByCaller = await raw({ ...req, cause: { kind: 'bonus', points: 1000 } });
    expect(pointsByCaller.error!.details!.map((d) => d.path)).toContain('cause.kind');
    expect((await raw({ ...req, personType: 'mayor' })).error!.code).toBe('invalid_request');
    expect((await raw({ ...req, participantId: 'Not A Slug' })).error!.code).toBe('invalid_request');

    expect(await entriesCollection().countDocuments({ participantId: req.participantId })).toBe(0);
    expect(await balanceOf(req.participantId)).toEqual({ participantId: req.participantId, balance: 0, entries: 0 });
  });

  it('a task already credited to someone else, or a key reused for another task, is a conflict and changes nothing', async () => {
    const first = awardRequest();
    await award(first);
    const other = { ...first, participantId: ids('p'), idempotencyKey: `${first.idempotencyKey}:other` };
    await expect(award(other)).rejects.toMatchObject({ code: 'conflict' } satisfies Partial<LifelineError>);
    expect(await balanceOf(other.participantId)).toEqual({ participantId: other.participantId, balance: 0, entries: 0 });
    expect(await balanceOf(first.participantId)).toMatchObject({ balance: 30, entries: 1 });

    const reusedKey = awardRequest({ idempotencyKey: first.idempotencyKey });
    await expect(award(reusedKey)).rejects.toMatchObject({ code: 'conflict' } satisfies Partial<LifelineError>);
    expect(await balanceOf(reusedKey.participantId)).toEqual({ participantId: reusedKey.participantId, balance: 0, entries: 0 });
  });

  it('summarises and ranks an incident’s awards', async () => {
    const incidentId = ids('inc');
    const [p1, p2] = [ids('p'), ids('p')];
    await award(awardRequest({ incidentId, participantId: p1, hours: 1 }));
    await award(awardRequest({ incidentId, participantId: p1, hours: 1 }));
    await award(awardRequest({ incidentId, participantId: p2, hours: 4, personType: 'health-centre-staff' }));

    expect(await call(nc, incentives.summary, { incidentId })).toEqual({ incidentId, awards: 3, points: 15 + 15 + 24, participants: 2 });
    const board = await getJson(`/v1/leaderboard?incidentId=${incidentId}`);
    expect(board.body.leaders).toEqual([
      { rank: 1, participantId: p1, points: 30, awards: 2 },
      { rank: 2, participantId: p2, points: 24, awards: 1 },
    ]);
    expect((await getJson('/v1/leaderboard?incidentId=NOPE')).status).toBe(400);
  });
});
