import { localProvider } from '@lifeline/local-stack';
import { buildCity, sendCity, http, killHard, pollUntil, waitForIncident, withMongo, withNats } from '@lifeline/testkit';
import { reachedAtGateway } from './support';
import type { IncidentView } from '@lifeline/contracts';

jest.setTimeout(240_000);

/**
 * Nothing lost, nothing twice: the worker and the bridge are killed without warning in the middle of mobilize
 * (while supplies are reserved and a responder dispatched), come back, and the incident still closes with every
 * side effect recorded exactly once in the services' own databases.
 */
const city = buildCity({ communities: 2, residents: 600, seed: 2026, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community' && u.id === 'c0002')!;

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
});

/** Poll the incident quickly (mobilize lasts a few seconds in a drill) until it is in `phase`. */
async function whenInPhase(incidentId: string, phase: string, timeoutMs = 90_000): Promise<IncidentView> {
  const answer = await pollUntil(`incident ${incidentId} is in ${phase}`, () => http<IncidentView>('GET', `/v1/incidents/${incidentId}`, 'auditor'), {
    timeoutMs,
    everyMs: 100,
    until: (a) => a.status === 200 && a.body.phase === phase,
  });
  return answer.body;
}

it('a worker and a bridge killed in the middle of mobilize lose and duplicate nothing', async () => {
  const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'operator', {
    planId: 'community-drill',
    severity: 'II',
    area: { communityIds: [community.id] },
    title: 'E2E restart',
    drill: true,
  });
  expect(started.status).toBe(202);
  const { incidentId } = started.body;
  const before = await whenInPhase(incidentId, 'mobilize');
  await killHard('worker');
  await killHard('bridge');
  const killedAt = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 1000));
  // Brings back only what is missing; the rest of the stack is reused.
  await localProvider().start({ apps: true, log: () => {} });

  const final = await waitForIncident(incidentId, (v) => v.phase === 'closed', 180_000);
  expect(final.status).toBe('completed');
  // The kill provably fell inside mobilize: after mobilize started, before respond started.
  expect(before.phase).toBe('mobilize');
  const startOf = (phase: string) => final.timeline.find((t) => t.what === `${phase} started`)?.at ?? '';
  expect(startOf('mobilize') < killedAt).toBe(true);
  expect(startOf('respond') > killedAt).toBe(true);
  await withMongo(async (mongo) => {
    const reached = await reachedAtGateway(mongo, incidentId, 'warn-residents');
    expect(reached).toHaveLength(community.population ?? 0);
    expect(new Set(reached).size).toBe(reached.length);
    expect(await mongo.db('lifeline_supplies').collection('reservations').countDocuments({ incidentId })).toBe(1);
    const tasks = await mongo.db('lifeline_personnel').collection('tasks').find({ incidentId }).toArray();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.status).toBe('done');
    expect(await mongo.db('lifeline_incentives').collection('ledger_entries').countDocuments({ incidentId })).toBe(1);
  });
});
