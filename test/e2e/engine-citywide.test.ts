import { Client, Connection } from '@temporalio/client';
import { PlanDocument, type IncidentView } from '@lifeline/contracts';
import { measureIncidentCost, type IncidentCost } from '@lifeline/workflows';
import { buildCity, drillCity, env, http, sendCityInSlices, waitForIncident, withNats } from '@lifeline/testkit';

/**
 * A city-wide drill over a seeded city of 250 communities (32 districts) completes on the real stack, and what it
 * cost Temporal is read back from visibility and history (the same measurement `scripts/drill-cost.ts` prints).
 * The city is trimmed to what the drill touches (one resident per community, the dispatched roles only) so the
 * suite stays reasonable; fan-out stays within Temporal's per-execution limits. It takes ~15 minutes on 2 cores, so
 * it is a jest project of its own that `npm test` leaves out: `jest --selectProjects citywide --runInBand`
 * (`npm run bench` measures the city-wide drill at full size).
 */
jest.setTimeout(60 * 60_000);

const COMMUNITIES = 250;
let final: IncidentView;
let cost: IncidentCost;

beforeAll(async () => {
  const plan = (await http<{ plan: PlanDocument }>('GET', '/v1/plans/community-drill', 'auditor')).body.plan;
  const city = drillCity(buildCity({ communities: COMMUNITIES, residents: COMMUNITIES, seed: 250, today: new Date().toISOString().slice(0, 10) }), plan);
  // 10 communities a request: each unit slice also upserts the communities' sites and stock targets in supplies,
  // and 50 at a time took over the seed's 60 s timeout on FerretDB under load.
  await withNats((nc) => sendCityInSlices(nc, city, 10));
  const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'operator', {
    planId: 'community-drill',
    severity: 'IV',
    area: { cityWide: true },
    title: 'E2E city-wide drill',
    drill: true,
  });
  expect(started.status).toBe(202);
  final = await waitForIncident(started.body.incidentId, (v) => v.phase === 'closed', 55 * 60_000);
  const connection = await Connection.connect({ address: env.temporal });
  try {
    cost = await measureIncidentCost(new Client({ connection }), final.incidentId);
  } finally {
    await connection.close();
  }
  process.stderr.write(`[city-wide drill] ${JSON.stringify({ communities: final.areas.length, ...cost, byType: undefined })}\n`);
});

it('completes over every community of the city', () => {
  expect(final.status).toBe('completed');
  expect(final.areas.length).toBeGreaterThanOrEqual(COMMUNITIES);
  expect(final.areas.every((a) => a.lastPhase === 'recover')).toBe(true);
  expect(final.review?.totals.personnel.done).toBeGreaterThanOrEqual(COMMUNITIES);
  expect(final.readiness).toBeDefined();
});

it('reports the executions, activities and history events it used, all within Temporal limits', () => {
  // One incident; each district runs the notify, reserve and award steps itself (district-steps, district-awards):
  // warn, mobilize's reserve, all of respond (issue, award), all of recover. Community runs only for the step that
  // waits on the community: mobilize's dispatch, in a second district run.
  const districts = new Set(final.areas.map((a) => a.districtId)).size;
  expect(cost.byType.incidentWorkflow?.executions).toBe(1);
  expect(cost.byType.districtPhaseWorkflow?.executions).toBe(5 * districts);
  expect(cost.byType.communityPhaseWorkflow?.executions).toBe(final.areas.length);
  expect(cost.executions).toBe(1 + 5 * districts + final.areas.length);
  expect(cost.statuses).toEqual({ COMPLETED: cost.executions });
  // Every community ran at least broadcast, reserve, dispatch, issue, award, return and the all-clear.
  expect(cost.activities).toBeGreaterThanOrEqual(7 * final.areas.length);
  // No execution comes near 2,000 pending children or 51,200 history events.
  for (const t of Object.values(cost.byType)) {
    expect(t.maxChildren).toBeLessThanOrEqual(200);
    expect(t.maxEvents).toBeLessThan(10_000);
  }
});
