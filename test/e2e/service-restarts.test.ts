import { setTimeout as sleep } from 'node:timers/promises';
import { localProvider } from '@lifeline/local-stack';
import { incentives, notification, personnel, supplies, type AfterActionReport, type IncidentView } from '@lifeline/contracts';
import { call } from '@lifeline/platform';
import { buildCity, sendCity, http, killHard, pollUntil, waitForIncident, withMongo, withNats } from '@lifeline/testkit';
import { reachedAtGateway } from './support';

jest.setTimeout(300_000);

/**
 * A restart is invisible to the plan: each service is killed without warning (SIGKILL) in the middle of the step
 * that needs it, comes back (`lifeline up`'s restart: only what is missing is started), and the incident still closes
 * completed with no failed step, its figures — the incident view, the review and the after-action report — equal to
 * the service's own records, each side effect once. (Issue 18: notification killed during warn left the warn step
 * failed and the incident showing 1,100 of 1,600 messages while notification had sent all 1,600.)
 * restart.test.ts kills the worker and the bridge; stack-parts.test.ts stops a service before the step.
 */
const city = buildCity({ communities: 2, residents: 600, seed: 2026, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community' && u.id === 'c0001')!;

/** notification's simulated gateway answers each call after `delayMs` (it re-reads its settings every 500 ms). */
async function gatewayDelay(delayMs: number) {
  await withNats((nc) => call(nc, notification.simulator, { failureRate: {}, failFor: [], delayMs }));
  await sleep(700);
}

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
});

afterAll(async () => {
  await gatewayDelay(0).catch(() => undefined);
  // Leave the stack whole for the next test file, whatever happened here.
  await localProvider().start({ apps: true, log: () => {} });
});

const view = async (incidentId: string) => (await http<IncidentView>('GET', `/v1/incidents/${incidentId}`, 'auditor')).body;
const inPhase = (phase: string) => async (incidentId: string) => (await view(incidentId)).phase === phase;
const countIn = (db: string, collection: string) => (incidentId: string) => withMongo((mongo) => mongo.db(db).collection(collection).countDocuments({ incidentId }));

interface KillCase {
  service: 'supplies' | 'personnel' | 'notification' | 'incentives';
  step: string;
  /** The moment to kill: the service is at work on the step. */
  due: (incidentId: string) => Promise<boolean>;
  /** How long the step runs (notification: the gateway is slowed, so the broadcast lasts seconds). */
  before?: () => Promise<void>;
  after?: () => Promise<void>;
  /** When the service's record says the step finished: after the kill, so the step rode over the restart. */
  finishedAt?: (incidentId: string) => Promise<Date | undefined>;
}

const finishedAt = (db: string, collection: string, field: string, filter: object) => (incidentId: string) =>
  withMongo(async (mongo) => ((await mongo.db(db).collection(collection).findOne({ incidentId, ...filter })) as Record<string, Date> | null)?.[field]);

const CASES: KillCase[] = [
  {
    service: 'notification',
    step: 'warn-residents',
    // The broadcast is out at the gateway, and its job not yet complete.
    due: async (incidentId) => (await countIn('lifeline_notification', 'gateway_calls')(incidentId)) > 0,
    before: () => gatewayDelay(1500),
    after: () => gatewayDelay(0),
    finishedAt: finishedAt('lifeline_notification', 'broadcast_jobs', 'completedAt', { stepId: 'warn-residents' }),
  },
  { service: 'supplies', step: 'reserve-shelter-kits', due: inPhase('mobilize') },
  // The grid worker is dispatched; the simulated responder acknowledges 0.5 s later and finishes 1 s later.
  {
    service: 'personnel',
    step: 'dispatch-grid-worker',
    due: async (incidentId) => (await countIn('lifeline_personnel', 'tasks')(incidentId)) > 0,
    finishedAt: finishedAt('lifeline_personnel', 'tasks', 'doneAt', {}),
  },
  { service: 'incentives', step: 'award-responders', due: inPhase('respond') },
];

it.each(CASES)('$service killed during $step: the incident completes and its figures are $service’s own records', async ({ service, step, due, before, after, finishedAt: finished }) => {
  await before?.();
  try {
    const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'operator', {
      planId: 'community-drill',
      severity: 'IV',
      area: { communityIds: [community.id] },
      title: `E2E ${service} restart`,
      drill: true,
    });
    expect(started.status).toBe(202);
    const { incidentId } = started.body;
    await pollUntil(`${step} is under way in ${incidentId}`, () => due(incidentId), { timeoutMs: 90_000, everyMs: 50 });
    await killHard(service);
    const killedAt = new Date().toISOString();
    // Down for longer than the three attempts a broadcast poll used to have (about 3 s), as a slow restart would be.
    await sleep(8000);
    await localProvider().start({ apps: true, log: () => {} });

    const final = await waitForIncident(incidentId, (v) => v.phase === 'closed', 240_000);
    expect(final.status).toBe('completed');
    // The kill fell before the incident closed, and no step was recorded failed.
    expect(final.timeline.find((t) => t.what === 'review started')!.at > killedAt).toBe(true);
    expect(final.review!.findings.filter((f) => f.finding.includes('failed'))).toEqual([]);
    if (finished) expect((await finished(incidentId))!.toISOString() > killedAt).toBe(true);

    const records = await withNats(async (nc) => ({
      notification: await call(nc, notification.summary, { incidentId }),
      supplies: await call(nc, supplies.summary, { incidentId }),
      personnel: await call(nc, personnel.summary, { incidentId }),
      incentives: await call(nc, incentives.summary, { incidentId }),
    }));
    const [area] = final.areas;
    const { figures } = area!;
    expect(figures.notification).toEqual({ jobs: records.notification.jobs, total: records.notification.total, sent: records.notification.sent });
    expect(figures.supplies).toEqual({ reserved: records.supplies.reserved, issued: records.supplies.issued, returned: records.supplies.returned, shortfall: records.supplies.shortfall });
    expect(figures.personnel).toMatchObject({ tasks: records.personnel.tasks, acknowledged: records.personnel.acknowledged, done: records.personnel.done, fallbacks: records.personnel.fallbacks });
    expect(figures.incentives).toEqual({ awards: records.incentives.awards, points: records.incentives.points });
    // The records are the drill's whole work: both broadcasts to every resident, one reservation, one task, one award.
    expect(records.notification).toMatchObject({ jobs: 2, total: 2 * community.population!, sent: 2 * community.population!, failed: 0 });
    expect(records.supplies.reservations).toBe(1);
    expect(records.personnel).toMatchObject({ tasks: 1, done: 1 });
    expect(records.incentives.awards).toBe(1);
    expect(final.review!.totals).toEqual(figures);

    const report = await http<AfterActionReport>('GET', `/v1/incidents/${incidentId}/report`, 'auditor');
    expect(report.status).toBe(200);
    expect(report.body.communities.map((c) => c.figures)).toEqual([figures]);

    // Each side effect once in the services' own databases.
    await withMongo(async (mongo) => {
      const reached = await reachedAtGateway(mongo, incidentId, 'warn-residents');
      expect(reached).toHaveLength(community.population!);
      expect(new Set(reached).size).toBe(reached.length);
      expect(await mongo.db('lifeline_incentives').collection('ledger_entries').countDocuments({ incidentId })).toBe(1);
    });
  } finally {
    await after?.();
  }
});
