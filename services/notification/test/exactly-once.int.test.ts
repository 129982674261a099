import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { BROADCAST_BATCH_SUBJECT, notification } from '@lifeline/contracts';
import { call, encodeJson } from '@lifeline/platform';
import { unpack } from '../src/domain/packing';
import { completed, countBy, gatewayRecords, openFixture, rawRequest, residents, stepDeliveries, type BroadcastRequest, type Fixture } from './fixtures';

/** One step, three overlapping audiences, retries of every kind: each resident hears the step exactly once. */
const run = randomUUID().slice(0, 8);
const communityId = `c-eo-${run}`;
const N = 300;
const people = residents(run, communityId, N);
let f: Fixture;

const request = (over: Partial<BroadcastRequest>): BroadcastRequest => ({
  idempotencyKey: `wf-${run}:warn:x`,
  incidentId: `inc-eo-${run}`,
  stepId: 'warn-notify',
  communityId,
  audience: { groups: ['everyone'] },
  channels: ['sms'],
  message: { zh: '台风红色预警：请留在室内。', en: 'Red typhoon warning: stay indoors.' },
  severity: 'I',
  drill: true,
  ...over,
});

beforeAll(async () => {
  f = await openFixture('notification-exactly-once-test');
  await call(f.nc, notification.simulator, { failureRate: {}, failFor: [], delayMs: 0 });
  expect(await call(f.nc, notification.seed, { residents: people }, { timeoutMs: 60_000 })).toEqual({ residents: N });
});

afterAll(async () => {
  await call(f.nc, notification.simulator, { failureRate: {}, failFor: [], delayMs: 0 });
  await f?.close();
});

describe('exactly one message per resident per step', () => {
  it('three overlapping audiences sent at once, each retried, plus a replayed batch, reach every resident once', async () => {
    const incidentId = `inc-eo-${run}`;
    const everyone = request({ idempotencyKey: `wf-${run}:warn:everyone` });
    const vulnerable = request({ idempotencyKey: `wf-${run}:warn:vulnerable`, audience: { groups: ['vulnerable'] } });
    const gridAndBuilding = request({ idempotencyKey: `wf-${run}:warn:grid-1`, audience: { groups: ['everyone'], gridIds: ['g-1'], buildingIds: ['b-2'] } });
    const inGridOrBuilding = people.filter((p) => p.gridId === 'g-1' || p.buildingId === 'b-2').length;
    const vulnerableCount = people.filter((p) => p.vulnerabilities.length > 0).length;

    // The workflow's activity may be retried while the first attempt is still running: send each twice at once.
    const first = await Promise.all([everyone, vulnerable, gridAndBuilding, everyone, vulnerable, gridAndBuilding].map((r) => call(f.nc, notification.broadcast, r)));
    expect(new Set(first.map((j) => j.jobId)).size).toBe(3);
    expect(first.slice(0, 3).map((j) => j.total)).toEqual([N, vulnerableCount, inGridOrBuilding]);
    const jobs = await Promise.all(first.slice(0, 3).map((j) => completed(f.nc, j.jobId)));

    // A redelivered work item of each job (as after a crash before the ack), a v1 batch left from before pages, and
    // a retried request after completion.
    const js = jetstream(f.nc);
    for (const [i, job] of jobs.entries()) {
      for (const kind of ['v', 'o']) await js.publish(BROADCAST_BATCH_SUBJECT, encodeJson({ v: 2, jobId: job.jobId, pageId: `${communityId}/${kind}/0`, expected: 0, after: 0 }), { msgID: `replay-${run}-${i}-${kind}` });
    }
    await js.publish(BROADCAST_BATCH_SUBJECT, encodeJson({ jobId: jobs[2]!.jobId, batch: 0, residentIds: people.slice(0, 5).map((p) => p.id) }), { msgID: `replay-${run}-v1` });
    const again = await call(f.nc, notification.broadcast, gridAndBuilding);
    expect(again.jobId).toBe(jobs[2]!.jobId);
    await new Promise((r) => setTimeout(r, 1500));

    const final = await Promise.all(jobs.map((j) => call(f.nc, notification.job, { jobId: j.jobId })));
    const sent = final.reduce((n, j) => n + j.sent, 0);
    const skipped = final.reduce((n, j) => n + j.duplicatesSkipped, 0);
    expect(sent).toBe(N);
    expect(skipped).toBe(vulnerableCount + inGridOrBuilding);
    expect(final.map((j) => j.total)).toEqual([N, vulnerableCount, inGridOrBuilding]);

    const deliveries = await stepDeliveries(f.db, incidentId, 'warn-notify');
    expect(deliveries).toHaveLength(N);
    expect([...countBy(deliveries, (d) => d.residentId).values()].every((n) => n === 1)).toBe(true);
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);

    const records = await gatewayRecords(f.db, incidentId);
    const perResident = countBy(records, (r) => r.residentId);
    expect(perResident.size).toBe(N);
    expect([...perResident.values()].every((n) => n === 1)).toBe(true);
    expect(records.every((r) => r.channel === 'sms' && r.status === 'sent')).toBe(true);

    // The operator's answer for one resident agrees with the gateway's record.
    const someone = people[7]!.id;
    const answer = await call(f.nc, notification.delivery, { incidentId, residentId: someone });
    const record = records.find((r) => r.residentId === someone)!;
    expect(answer.steps).toEqual([{ stepId: 'warn-notify', status: 'sent', channel: 'sms', jobId: expect.stringMatching(/^bcast-/), at: expect.any(String), receiptId: record.receiptId }]);
    expect(first.map((j) => j.jobId)).toContain(answer.steps[0]!.jobId);
    expect(await call(f.nc, notification.delivery, { incidentId, residentId: someone, stepId: 'never-sent' })).toEqual({ incidentId, residentId: someone, steps: [] });
    await expect(call(f.nc, notification.delivery, { incidentId, residentId: 'r-nobody' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('channels', () => {
  it('a resident the first channel fails for is reached once on the second, with a receipt', async () => {
    const incidentId = `inc-fb-${run}`;
    const unlucky = people[4]!.id;
    await call(f.nc, notification.simulator, { failureRate: {}, failFor: [{ residentId: unlucky, channel: 'app-push' }], delayMs: 0 });
    await new Promise((r) => setTimeout(r, 700)); // the gateway re-reads its settings at most every 500 ms
    const job = await completed(f.nc, (await call(f.nc, notification.broadcast, request({ idempotencyKey: `wf-${run}:fallback`, incidentId, channels: ['app-push', 'sms'], audience: { groups: ['everyone'], buildingIds: ['b-4'] } }))).jobId);
    const inBuilding = people.filter((p) => p.buildingId === 'b-4').length;
    expect(job).toMatchObject({ total: inBuilding, sent: inBuilding, failed: 0, fallbacks: 1, byChannel: { 'app-push': { sent: inBuilding - 1, failed: 0 }, sms: { sent: 1, failed: 0 } } });
    const delivery = await call(f.nc, notification.delivery, { incidentId, residentId: unlucky });
    expect(delivery.steps).toEqual([expect.objectContaining({ stepId: 'warn-notify', channel: 'sms', fallbackFrom: 'app-push', status: 'sent', receiptId: expect.stringMatching(/^rcpt-/) })]);
    const records = (await gatewayRecords(f.db, incidentId)).filter((r) => r.residentId === unlucky);
    expect(records.map((r) => [r.channel, r.status])).toEqual([['app-push', 'failed'], ['sms', 'sent']]);
  });

  it('a loudspeaker reaches a building zone with one transmission; predicted time follows the channel rate', async () => {
    const incidentId = `inc-ls-${run}`;
    const prediction = await call(f.nc, notification.predict, { communityId, audience: { groups: ['everyone'] }, channels: ['loudspeaker'] });
    expect(prediction).toMatchObject({ recipients: N, predictedSeconds: 10 / prediction.ratePerSecond });
    const job = await completed(f.nc, (await call(f.nc, notification.broadcast, request({ idempotencyKey: `wf-${run}:loudspeaker`, incidentId, channels: ['loudspeaker'] }))).jobId);
    expect(job).toMatchObject({ sent: N, percentDone: 100, remainingSeconds: 0, predictedSeconds: prediction.predictedSeconds });
    // Two pages (vulnerable, others) cover the same buildings: each building is still transmitted to once for the
    // step, the second page's call for it being answered from the gateway's record.
    const calls = await f.db.collection<{ transmissions: string; recipients: string; repeats?: number }>('gateway_calls').find({ incidentId }).toArray();
    expect(calls.reduce((n, c) => n + unpack(c.transmissions).split('\n').length, 0)).toBe(10);
    expect(calls.reduce((n, c) => n + (c.repeats ?? 0), 0)).toBe(10);
    const answered = await stepDeliveries(f.db, incidentId, 'warn-notify');
    expect(answered).toHaveLength(N);
    expect(answered.every((d) => d.status === 'sent' && d.channel === 'loudspeaker' && d.receiptId?.startsWith('rcpt-'))).toBe(true);
    expect(new Set(answered.map((d) => d.receiptId)).size).toBe(10);
  });

  it('the contact cap holds a second step back; an escalated step gets through', async () => {
    const incidentId = `inc-cap-${run}`;
    const capped = { contactCap: { max: 1, windowMinutes: 60 }, incidentId, audience: { groups: ['everyone' as const], gridIds: ['g-0'] } };
    const inGrid = people.filter((p) => p.gridId === 'g-0').length;
    const step1 = await completed(f.nc, (await call(f.nc, notification.broadcast, request({ ...capped, idempotencyKey: `wf-${run}:cap:1`, stepId: 'step-1' }))).jobId);
    const step2 = await completed(f.nc, (await call(f.nc, notification.broadcast, request({ ...capped, idempotencyKey: `wf-${run}:cap:2`, stepId: 'step-2' }))).jobId);
    const step3 = await completed(f.nc, (await call(f.nc, notification.broadcast, request({ ...capped, idempotencyKey: `wf-${run}:cap:3`, stepId: 'step-3', escalated: true }))).jobId);
    expect(step1).toMatchObject({ sent: inGrid, frequencyCapped: 0 });
    expect(step2).toMatchObject({ sent: 0, frequencyCapped: inGrid });
    expect(step3).toMatchObject({ sent: inGrid, frequencyCapped: 0 });
    const summary = await call(f.nc, notification.summary, { incidentId });
    expect(summary).toMatchObject({ frequencyCapped: inGrid, sent: 2 * inGrid });
    expect(summary.timeToReach!.p100).toBeGreaterThanOrEqual(summary.timeToReach!.p50);
  });

  it('bad broadcasts get structured errors and create no job', async () => {
    const key = `wf-${run}:bad`;
    const badCap = await rawRequest(f.nc, notification.broadcast.subject, { ...request({ idempotencyKey: key }), contactCap: { max: 0, windowMinutes: 60 } });
    expect(badCap).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(badCap.error!.details!.map((d) => d.path)).toContain('contactCap.max');
    const badGrid = await rawRequest(f.nc, notification.broadcast.subject, { ...request({ idempotencyKey: key }), audience: { groups: ['everyone'], gridIds: ['G 1'] } });
    expect(badGrid.error!.details!.map((d) => d.path)).toContain('audience.gridIds.0');
    const badSim = await rawRequest(f.nc, notification.simulator.subject, { failureRate: { sms: 2 } });
    expect(badSim).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await f.db.collection('broadcast_jobs').countDocuments({ idempotencyKey: key })).toBe(0);
  });
});
