import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { localProvider } from '@lifeline/local-stack';
import { notification, type notificationContract } from '@lifeline/contracts';
import { call } from '@lifeline/platform';
import { killHard, pollUntil, withMongo, withNats } from '@lifeline/testkit';
import { reachedAtGateway } from './support';

jest.setTimeout(240_000);

/**
 * Nothing sent twice when the store dies mid-broadcast: a drill broadcast to a few thousand residents is under way
 * (the simulated gateway answers slowly, so pages are between their claim, the gateway and their record) when the
 * store is killed without warning and brought back. Every page is sent again from its records; a page whose gateway
 * call went out but whose answer was never written is answered from the gateway's record under the same call key.
 * (Before delivery sheets, the same kill 3 s into a 500-resident drill had 300 residents warned twice.)
 */
const run = randomUUID().slice(0, 8);
const communityId = `c-kill-${run}`;
const incidentId = `inc-kill-${run}`;
const N = 6000;
const residents = Array.from({ length: N }, (_, i) => ({
  id: `r-${run}-${i}`,
  communityId,
  gridId: `g-${Math.floor(i / 500)}`,
  buildingId: `b-${Math.floor(i / 100)}`,
  name: `居民${i}`,
  phone: `137${String(i).padStart(8, '0')}`,
  address: `和平路${i}号`,
  language: 'zh' as const,
  vulnerabilities: i % 9 === 0 ? (['elderly-alone'] as const).slice() : [],
}));

/** The job as it stands, or undefined while the store (and so the service's answer) is down. */
async function jobNow(jobId: string): Promise<notificationContract.BroadcastJob | undefined> {
  return withNats((nc) => call(nc, notification.job, { jobId }, { timeoutMs: 15_000 })).catch(() => undefined);
}

afterAll(async () => {
  await withNats((nc) => call(nc, notification.simulator, { failureRate: {}, failFor: [], delayMs: 0 })).catch(() => undefined);
});

it('a store killed in the middle of a broadcast: every resident is transmitted to exactly once, and the job says so', async () => {
  const jobId = await withNats(async (nc) => {
    for (let i = 0; i < N; i += 2000) await call(nc, notification.seed, { residents: residents.slice(i, i + 2000) }, { timeoutMs: 120_000 });
    // Each gateway call answers 1.5 s after it is accepted: with 7 pages (vulnerable first) the broadcast lasts seconds.
    await call(nc, notification.simulator, { failureRate: {}, failFor: [], delayMs: 1500 });
    await sleep(700); // the gateway re-reads its settings at most every 500 ms
    const job = await call(nc, notification.broadcast, {
      idempotencyKey: `e2e-kill-${run}:warn`,
      incidentId,
      stepId: 'warn-residents',
      communityId,
      audience: { groups: ['everyone'] },
      channels: ['sms'],
      message: { zh: '暴雨红色预警：请勿外出。', en: 'Red rainstorm warning: stay indoors.' },
      severity: 'I',
      drill: true,
    });
    expect(job).toMatchObject({ total: N, audienceResolved: true });
    return job.jobId;
  });

  // Kill the store once the vulnerable page is through and the others' messages are out but not yet answered, and
  // keep it down longer than the driver waits for a server (10 s), so their answers can never be written.
  const firstOut = await pollUntil('the first messages of the broadcast are out', () => jobNow(jobId), { timeoutMs: 60_000, everyMs: 100, until: (job) => (job?.sent ?? 0) > 0 });
  expect(firstOut.status).not.toBe('completed');
  await sleep(500);
  await killHard('ferretdb');
  await sleep(12_000);
  await localProvider().start({ apps: true, log: () => {} });

  // jobNow is undefined while the service cannot answer yet.
  const final = await pollUntil('the broadcast completes after the restart', () => jobNow(jobId), { timeoutMs: 150_000, everyMs: 500, until: (job) => job?.status === 'completed' });
  expect(final).toMatchObject({ status: 'completed', total: N, sent: N, failed: 0, duplicatesSkipped: 0 });

  await withMongo(async (mongo) => {
    const reached = await reachedAtGateway(mongo, incidentId, 'warn-residents');
    expect(reached).toHaveLength(N);
    expect(new Set(reached).size).toBe(N);
    // The figures a retried page counted are the gateway's first answers: the same receipts.
    const calls = await mongo.db('lifeline_notification').collection<{ _id: string; sent: number; failed: number; repeats?: number }>('gateway_calls').find({ incidentId, stepId: 'warn-residents' }).toArray();
    expect(calls.reduce((n, c) => n + c.sent, 0)).toBe(final.sent);
    expect(calls.every((c) => c.failed === 0)).toBe(true);
    // The kill fell where it used to duplicate: pages whose messages were out were sent again after the restart, and
    // the gateway answered them from its record instead of transmitting a second time.
    expect(calls.some((c) => (c.repeats ?? 0) > 0)).toBe(true);
  });
  const someone = residents[N - 1]!.id;
  const answer = await withNats((nc) => call(nc, notification.delivery, { incidentId, residentId: someone }));
  expect(answer.steps).toEqual([expect.objectContaining({ stepId: 'warn-residents', status: 'sent', jobId, receiptId: expect.stringMatching(/^rcpt-/) })]);
});
