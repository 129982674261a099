import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import { LifelineError, notification, type notificationContract, type RequestOf } from '@lifeline/contracts';
import {
  call,
  connectMongo,
  connectNats,
  createHttpApp,
  createLogger,
  EventPublisher,
  finishHttpApp,
  listen,
  loadConfig,
  PiiVault,
  ServiceEnv,
  type NatsConnection,
} from '@lifeline/platform';
import { unpack } from '../src/domain/packing';
import { registerRoutes } from '../src/http';
import { gatewayRecords, stepDeliveries, completed as waitCompleted, rawRequest as sendRaw } from './fixtures';

/** The notification story, told against the running service over NATS and its own database. */
type BroadcastRequest = RequestOf<typeof notification.broadcast>;
type BroadcastJob = notificationContract.BroadcastJob;

const run = randomUUID().slice(0, 8);
const communityId = `c-${run}`;
const incidentId = `inc-${run}`;
const RESIDENTS = 1200;
const isVulnerable = (i: number) => i % 8 === 3;
const VULNERABLE = Array.from({ length: RESIDENTS }, (_, i) => i).filter(isVulnerable).length;

let nc: NatsConnection;
let db: Connection;
let vault: PiiVault;
let http: Server;
let httpUrl: string;

const jobs = () => db.collection<{ _id: string; idempotencyKey: string }>('broadcast_jobs');

function broadcastRequest(over: Partial<BroadcastRequest> = {}): BroadcastRequest {
  return {
    idempotencyKey: `wf-${run}:warn:notify-everyone`,
    incidentId,
    stepId: 'notify-everyone',
    communityId,
    audience: { groups: ['everyone'] },
    channels: ['sms', 'app-push'],
    message: { zh: '暴雨红色预警：请勿外出。', en: 'Red rainstorm warning: stay indoors.' },
    severity: 'I',
    drill: true,
    ...over,
  };
}

const completed = (jobId: string) => waitCompleted(nc, jobId);
const rawRequest = (subject: string, body: unknown) => sendRaw(nc, subject, body);

beforeAll(async () => {
  const config = loadConfig(ServiceEnv);
  nc = await connectNats(config, 'notification-int-test');
  db = await connectMongo(config.MONGO_URL, 'lifeline_notification');
  vault = new PiiVault(config.LIFELINE_PII_KEY);
  const app = createHttpApp();
  const log = createLogger('notification-int-test', 'silent');
  registerRoutes(app, { name: 'notification', config, log, nc, db, events: new EventPublisher(nc), vault });
  finishHttpApp(app, log);
  http = await listen(app, 0);
  const address = http.address();
  httpUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const residents = Array.from({ length: RESIDENTS }, (_, i) => ({
    id: `r-${run}-${String(i).padStart(4, '0')}`,
    communityId,
    gridId: `g-${i % 6}`,
    buildingId: `b-${i % 40}`,
    name: `张${i}`,
    phone: `139${String(i).padStart(8, '0')}`,
    address: `幸福路${i}号`,
    language: i % 4 === 0 ? ('en' as const) : ('zh' as const),
    vulnerabilities: isVulnerable(i) ? (['elderly-alone'] as const).slice() : [],
  }));
  expect(await call(nc, notification.seed, { residents }, { timeoutMs: 60_000 })).toEqual({ residents: RESIDENTS });
});

afterAll(async () => {
  http?.close();
  await db?.close();
  await nc?.drain();
});

describe('broadcasting to a community', () => {
  let first: BroadcastJob;

  it('a broadcast reaches every resident once: sent equals total, one delivery each', async () => {
    const queued = await call(nc, notification.broadcast, broadcastRequest());
    expect(queued).toMatchObject({ incidentId, communityId, stepId: 'notify-everyone', status: 'queued', total: RESIDENTS, drill: true, audienceResolved: true });
    first = await completed(queued.jobId);
    expect(first).toMatchObject({ total: RESIDENTS, sent: RESIDENTS, failed: 0, duplicatesSkipped: 0 });
    const records = (await stepDeliveries(db, incidentId, 'notify-everyone')).filter((d) => d.jobId === first.jobId);
    expect(records).toHaveLength(RESIDENTS);
    expect(new Set(records.map((d) => d.residentId)).size).toBe(RESIDENTS);
    expect(records.every((d) => d.status === 'sent')).toBe(true);
  });

  it('repeating the broadcast with the same key returns the same job and sends nothing new', async () => {
    const again = await call(nc, notification.broadcast, broadcastRequest());
    expect(again.jobId).toBe(first.jobId);
    expect(again).toMatchObject({ status: 'completed', sent: RESIDENTS });
    await sleep(500);
    expect(await stepDeliveries(db, incidentId, 'notify-everyone')).toHaveLength(RESIDENTS);
    expect(await gatewayRecords(db, incidentId, 'notify-everyone')).toHaveLength(RESIDENTS);
    expect(await jobs().countDocuments({ idempotencyKey: broadcastRequest().idempotencyKey })).toBe(1);
  });

  it('a new key for the same incident step messages nobody twice: every resident is a skipped duplicate', async () => {
    const second = await call(nc, notification.broadcast, broadcastRequest({ idempotencyKey: `wf-${run}:warn:notify-everyone:retry-by-hand` }));
    expect(second.jobId).not.toBe(first.jobId);
    const done = await completed(second.jobId);
    expect(done).toMatchObject({ total: RESIDENTS, sent: 0, failed: 0, duplicatesSkipped: RESIDENTS });
    expect(await stepDeliveries(db, incidentId, 'notify-everyone')).toHaveLength(RESIDENTS);
    expect(await gatewayRecords(db, incidentId, 'notify-everyone')).toHaveLength(RESIDENTS);
  });

  it('an audience with nobody in it is a completed job at once', async () => {
    const empty = await call(nc, notification.broadcast, broadcastRequest({ idempotencyKey: `wf-${run}:warn:notify-nobody`, incidentId: `${incidentId}-nobody`, stepId: 'notify-nobody', audience: { groups: ['everyone'], gridIds: ['no-such-grid'] } }));
    expect(empty).toMatchObject({ status: 'completed', total: 0, sent: 0, audienceResolved: true });
    expect(await call(nc, notification.job, { jobId: empty.jobId })).toMatchObject({ status: 'completed', total: 0 });
  });

  it('several jobs are read at once, in the order asked, with the same figures as one by one', async () => {
    const empty = await call(nc, notification.broadcast, broadcastRequest({ idempotencyKey: `wf-${run}:warn:notify-nobody`, incidentId: `${incidentId}-nobody`, stepId: 'notify-nobody', audience: { groups: ['everyone'], gridIds: ['no-such-grid'] } }));
    const { jobs: both } = await call(nc, notification.jobs, { jobIds: [empty.jobId, first.jobId, empty.jobId] });
    expect(both).toEqual([await call(nc, notification.job, { jobId: empty.jobId }), await call(nc, notification.job, { jobId: first.jobId }), await call(nc, notification.job, { jobId: empty.jobId })]);
    expect(both[1]).toMatchObject({ status: 'completed', sent: RESIDENTS, communityId: first.communityId });
    // One unknown id fails the whole request, naming it.
    await expect(call(nc, notification.jobs, { jobIds: [first.jobId, 'bcast-unknown'] })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('bcast-unknown') });
    expect(await rawRequest(notification.jobs.subject, { jobIds: [] })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('vulnerable residents are told first: their page reaches the gateway before anyone else is sent', async () => {
    const records = await gatewayRecords(db, incidentId, 'notify-everyone');
    const vulnerableIds = new Set(Array.from({ length: RESIDENTS }, (_, i) => i).filter(isVulnerable).map((i) => `r-${run}-${String(i).padStart(4, '0')}`));
    const vulnerable = records.filter((r) => vulnerableIds.has(r.residentId));
    const others = records.filter((r) => !vulnerableIds.has(r.residentId));
    expect(vulnerable).toHaveLength(VULNERABLE);
    expect(others).toHaveLength(RESIDENTS - VULNERABLE);
    const lastVulnerable = Math.max(...vulnerable.map((r) => r.at.getTime()));
    expect(others.every((r) => r.at.getTime() >= lastVulnerable)).toBe(true);
    const sheets = await stepDeliveries(db, incidentId, 'notify-everyone');
    expect(new Set(sheets.filter((d) => vulnerableIds.has(d.residentId)).map((d) => d.pageId))).toEqual(new Set([`${communityId}/v/0`]));
    expect(Math.max(...sheets.filter((d) => vulnerableIds.has(d.residentId)).map((d) => d.at!))).toBeLessThanOrEqual(Math.min(...sheets.filter((d) => !vulnerableIds.has(d.residentId)).map((d) => d.at!)));
  });

  it('a broadcast to the vulnerable group reaches only them', async () => {
    const queued = await call(nc, notification.broadcast, broadcastRequest({ idempotencyKey: `wf-${run}:warn:notify-vulnerable`, stepId: 'notify-vulnerable', audience: { groups: ['vulnerable'] } }));
    expect(queued.total).toBe(VULNERABLE);
    expect(await completed(queued.jobId)).toMatchObject({ sent: VULNERABLE });
  });

  it('the summary adds up the incident', async () => {
    const summary = await call(nc, notification.summary, { incidentId });
    expect(summary).toMatchObject({ incidentId, jobs: 3, total: 2 * RESIDENTS + VULNERABLE, sent: RESIDENTS + VULNERABLE, failed: 0 });
    expect(summary.byCommunity[communityId]).toEqual({ total: 2 * RESIDENTS + VULNERABLE, sent: RESIDENTS + VULNERABLE });
  });

  it('the admin API lists the incident’s jobs and shows one job', async () => {
    const list = (await (await fetch(`${httpUrl}/v1/jobs?incidentId=${incidentId}`)).json()) as { jobs: { jobId: string; batches: number; batchesDone: number }[] };
    expect(list.jobs.map((j) => j.jobId)).toContain(first.jobId);
    const one = await fetch(`${httpUrl}/v1/jobs/${first.jobId}`);
    expect(one.status).toBe(200);
    // One work item per audience page: the vulnerable page, then two pages of the other 1,050.
    expect(await one.json()).toMatchObject({ jobId: first.jobId, sent: RESIDENTS, batches: 3, batchesDone: 3, vulnerableBatches: 1 });
    const someone = `r-${run}-0005`;
    const answer = await fetch(`${httpUrl}/v1/incidents/${incidentId}/residents/${someone}/deliveries?stepId=notify-everyone`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ incidentId, residentId: someone, steps: [expect.objectContaining({ stepId: 'notify-everyone', status: 'sent', channel: 'sms', jobId: first.jobId })] });
    expect((await fetch(`${httpUrl}/v1/incidents/${incidentId}/residents/r-nobody/deliveries`)).status).toBe(404);
    expect((await fetch(`${httpUrl}/v1/jobs/bcast-nope`)).status).toBe(404);
  });
});

describe('personal data and bad input', () => {
  it('the registry stores names, phones and addresses only sealed', async () => {
    const raw = await db.collection<Record<string, unknown>>('residents').findOne({ _id: `r-${run}-0007` } as never);
    expect(raw).not.toBeNull();
    for (const field of ['name', 'phone', 'address']) expect(String(raw![field])).toMatch(/^pii1:/);
    expect(JSON.stringify(raw)).not.toContain('13900000007');
    expect(vault.open(String(raw!.phone))).toBe('13900000007');
    // The audience page holds the phone only inside its one sealed value; the delivery sheets and the gateway's
    // record hold no personal data at all.
    const page = await db.collection<Record<string, unknown>>('audience_pages').findOne({ _id: raw!.pageId } as never);
    expect(String(page!.entries)).toMatch(/^pii1:/);
    expect(JSON.stringify(page)).not.toMatch(/13900000007|张7|幸福路/);
    expect(unpack(vault.open(String(page!.entries)))).toContain('13900000007');
    const sheets = await db.collection('delivery_sheets').find({ incidentId }).toArray();
    expect((await stepDeliveries(db, incidentId, 'notify-everyone')).map((d) => d.residentId)).toContain(`r-${run}-0007`);
    expect(JSON.stringify(sheets)).not.toMatch(/pii1:|13900000007|张7/);
    expect(sheets.map((s) => [...s.claims, ...s.outcomes].map((r: string) => unpack(r.slice(r.indexOf('|') + 1))).join()).join()).not.toMatch(/pii1:|13900000007|张7/);
    expect(JSON.stringify(await db.collection('gateway_calls').find({ incidentId }).toArray())).not.toMatch(/pii1:|13900000007|张7/);
  });

  it('an unknown channel or empty groups get a structured error and create no job', async () => {
    const key = `wf-${run}:bad:notify`;
    const unknownChannel = await rawRequest(notification.broadcast.subject, { ...broadcastRequest({ idempotencyKey: key }), channels: ['carrier-pigeon'] });
    expect(unknownChannel).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(unknownChannel.error!.details!.map((d) => d.path)).toContain('channels.0');
    const noGroups = await rawRequest(notification.broadcast.subject, { ...broadcastRequest({ idempotencyKey: key }), audience: { groups: [] } });
    expect(noGroups).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(noGroups.error!.details!.map((d) => d.path)).toContain('audience.groups');
    expect(await jobs().countDocuments({ idempotencyKey: key })).toBe(0);
  });

  it('responders are refused: they are reached through personnel dispatch', async () => {
    const key = `wf-${run}:bad:notify-responders`;
    await expect(call(nc, notification.broadcast, broadcastRequest({ idempotencyKey: key, audience: { groups: ['responders'] } }))).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/personnel dispatch/) });
    expect(await jobs().countDocuments({ idempotencyKey: key })).toBe(0);
  });

  it('an unknown job is not_found', async () => {
    await expect(call(nc, notification.job, { jobId: 'bcast-unknown' })).rejects.toBeInstanceOf(LifelineError);
    await expect(call(nc, notification.job, { jobId: 'bcast-unknown' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('direct messages to responders', () => {
  it('is sent once per key and stores the phone sealed', async () => {
    const request = { idempotencyKey: `wf-${run}:dispatch:task-1:notify`, incidentId, recipientId: `p-${run}`, phone: '+8613812345678', message: { zh: '请到3号楼集合', en: 'Gather at building 3' } };
    const sent = await call(nc, notification.direct, request);
    expect(sent).toMatchObject({ status: 'sent', drill: false });
    expect(await call(nc, notification.direct, request)).toEqual(sent);
    const stored = await db.collection('direct_messages').find({ idempotencyKey: request.idempotencyKey }).toArray();
    expect(stored).toHaveLength(1);
    expect(String(stored[0]!.phone)).toMatch(/^pii1:/);
    expect((await call(nc, notification.summary, { incidentId })).direct).toBe(1);
  });
});
