import { localProvider, readStackState } from '@lifeline/local-stack';
import { buildCity } from '../../cli/src/seed/city';
import { sendCity } from '../../cli/src/seed/send';
import { http, waitForIncident, withMongo, withNats } from './support';

jest.setTimeout(240_000);

/**
 * Nothing lost, nothing twice: the worker and the bridge are killed without warning in the middle of an incident,
 * come back, and the incident still closes with every side effect recorded exactly once.
 */
const city = buildCity({ communities: 2, residents: 600, seed: 2026, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community' && u.id === 'c0002')!;

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
});

async function killHard(name: string): Promise<void> {
  const state = (await readStackState()).find((c) => c.name === name);
  if (!state?.pid) throw new Error(`${name} is not running under the harness`);
  process.kill(state.pid, 'SIGKILL');
}

it('a worker and a bridge killed mid-incident lose and duplicate nothing', async () => {
  const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'operator', {
    planId: 'community-drill',
    severity: 'II',
    area: { communityIds: [community.id] },
    title: 'E2E restart',
    drill: true,
  });
  expect(started.status).toBe(202);
  const { incidentId } = started.body;
  await waitForIncident(incidentId, (v) => v.phase !== 'warn', 60_000);
  await killHard('worker');
  await killHard('bridge');
  await new Promise((r) => setTimeout(r, 1000));
  // Brings back only what is missing; the rest of the stack is reused.
  await localProvider().start({ apps: true, log: () => {} });

  const final = await waitForIncident(incidentId, (v) => v.phase === 'closed', 180_000);
  expect(final.status).toBe('completed');
  await withMongo(async (mongo) => {
    const deliveries = await mongo.db('lifeline_notification').collection('deliveries').find({ incidentId, stepId: 'warn-residents' }).toArray();
    expect(deliveries).toHaveLength(community.population ?? 0);
    expect(new Set(deliveries.map((d) => d.residentId)).size).toBe(deliveries.length);
    expect(await mongo.db('lifeline_supplies').collection('reservations').countDocuments({ incidentId })).toBe(1);
    const tasks = await mongo.db('lifeline_personnel').collection('tasks').find({ incidentId }).toArray();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.status).toBe('done');
    expect(await mongo.db('lifeline_incentives').collection('ledger_entries').countDocuments({ incidentId })).toBe(1);
  });
});
