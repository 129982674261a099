import { localProvider } from '@lifeline/local-stack';
import { StatusAnswer } from '@lifeline/contracts/http/command-center';
import { buildCity, sendCity, http, killHard, pollUntil, waitForIncident, withMongo, withNats, type HttpAnswer } from '@lifeline/testkit';
import { reachedAtGateway } from './support';

jest.setTimeout(300_000);

/**
 * Every service is a real, separate process the system depends on: stopping any one of them is seen at once
 * (GET /v1/status answers 503 and names it), and an incident that needs a stopped service waits for it instead of
 * failing or skipping the step — then finishes with each side effect done once when the service is back.
 */
const SERVICES = ['supplies', 'personnel', 'notification', 'incentives'] as const;
const city = buildCity({ communities: 2, residents: 600, seed: 2026, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community' && u.id === 'c0001')!;

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
});

afterAll(async () => {
  // Leave the stack whole for the next test file, whatever happened here.
  await localProvider().start({ apps: true, log: () => {} });
});

const status = () => http<StatusAnswer>('GET', '/v1/status', null);
const partOf = (answer: HttpAnswer<StatusAnswer>, name: string) => answer.body.parts.find((p) => p.name === name);

const until = <T>(what: string, probe: () => Promise<T | undefined>) => pollUntil(what, probe, { timeoutMs: 60_000, everyMs: 250 });

it('names every part of the running system, all up', async () => {
  const answer = await status();
  expect(answer.status).toBe(200);
  const parsed = StatusAnswer.parse(answer.body);
  expect(parsed.status).toBe('ok');
  expect(parsed.parts.map((p) => p.name).sort()).toEqual(['incentives', 'nats', 'notification', 'personnel', 'store', 'supplies', 'temporal', 'worker']);
  expect(parsed.parts.every((p) => p.up)).toBe(true);
});

it.each(SERVICES)('a stopped %s is named down at once, and up again when it is back', async (name) => {
  await killHard(name);
  const down = await until(`${name} is reported down`, async () => {
    const answer = await status();
    return answer.status === 503 && partOf(answer, name)?.up === false ? answer : undefined;
  });
  expect(down.body.status).toBe('degraded');
  expect(down.body.parts.filter((p) => !p.up).map((p) => p.name)).toEqual([name]);
  expect(partOf(down, name)?.detail).toMatch(/no responders|no answer in time/);

  await localProvider().start({ apps: true, log: () => {} });
  const up = await until('the whole system is up again', async () => {
    const answer = await status();
    return answer.status === 200 ? answer : undefined;
  });
  expect(partOf(up, name)?.up).toBe(true);
});

it('an incident that needs a stopped supplies service waits in mobilize and finishes once it is back, reserving once', async () => {
  await killHard('supplies');
  await until('supplies is reported down', async () => ((await status()).status === 503 ? true : undefined));
  const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'operator', {
    planId: 'community-drill',
    severity: 'III',
    area: { communityIds: [community.id] },
    title: 'E2E supplies down',
    drill: true,
  });
  expect(started.status).toBe(202);
  const { incidentId } = started.body;

  // Warn needs only notification; mobilize cannot reserve while supplies is down, so the incident holds there.
  await waitForIncident(incidentId, (v) => v.phase === 'mobilize', 90_000);
  await new Promise((r) => setTimeout(r, 5000));
  const held = await http<{ phase: string; status: string }>('GET', `/v1/incidents/${incidentId}`, 'auditor');
  expect(held.body).toMatchObject({ phase: 'mobilize', status: 'running' });
  await withMongo(async (mongo) => {
    expect(await mongo.db('lifeline_supplies').collection('reservations').countDocuments({ incidentId })).toBe(0);
  });

  await localProvider().start({ apps: true, log: () => {} });
  const final = await waitForIncident(incidentId, (v) => v.phase === 'closed', 180_000);
  expect(final.status).toBe('completed');
  await withMongo(async (mongo) => {
    expect(await mongo.db('lifeline_supplies').collection('reservations').countDocuments({ incidentId })).toBe(1);
    const reached = await reachedAtGateway(mongo, incidentId, 'warn-residents');
    expect(new Set(reached).size).toBe(reached.length);
    expect(reached).toHaveLength(community.population ?? 0);
  });
});
