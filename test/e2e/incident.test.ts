import { randomUUID } from 'node:crypto';
import { AfterActionReport, type IncidentView } from '@lifeline/contracts';
import { buildCity, sendCity, http, waitForIncident, withMongo, withNats, withTemporal } from '@lifeline/testkit';
import { reachedAtGateway } from './support';

/**
 * The walking skeleton end to end: HTTP → command-center → Temporal → worker → NATS → the four services →
 * their own databases, and back through JetStream events and the bridge. Nothing here is mocked.
 */
jest.setTimeout(180_000);

const CITY = { communities: 2, residents: 600, seed: 2026, today: new Date().toISOString().slice(0, 10) };
const city = buildCity(CITY);
const community = city.units.find((u) => u.level === 'community')!;
const population = community.population ?? 0;

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
});

const start = (body: Record<string, unknown>, key?: string) =>
  http<{ incidentId: string; workflowId: string }>('POST', '/v1/incidents', 'operator', body, key ? { 'idempotency-key': key } : {});

const drill = (title: string) => ({ planId: 'community-drill', severity: 'IV', area: { communityIds: [community.id] }, title, drill: true });

describe('an incident from POST to closed', () => {
  let incidentId: string;
  let final: IncidentView;

  it('starts once per Idempotency-Key', async () => {
    const key = `e2e-${randomUUID()}`;
    const first = await start(drill('E2E drill'), key);
    expect(first.status).toBe(202);
    const again = await start(drill('E2E drill'), key);
    expect(again.status).toBe(202);
    expect(again.body.incidentId).toBe(first.body.incidentId);
    expect(first.body.workflowId).toBe(`incident-${first.body.incidentId}`);
    incidentId = first.body.incidentId;
  });

  it('walks warn → mobilize → respond → recover → review and closes completed', async () => {
    final = await waitForIncident(incidentId, (v) => v.phase === 'closed');
    expect(final.status).toBe('completed');
    expect(final.planId).toBe('community-drill');
    const phases = final.timeline.map((t) => t.phase).filter(Boolean);
    for (const phase of ['warn', 'mobilize', 'respond', 'recover', 'review']) expect(phases).toContain(phase);
    expect(final.review?.outcome).toBe('completed');
  });

  it('reports per-area figures from every service', () => {
    const area = final.areas.find((a) => a.communityId === community.id)!;
    expect(area).toBeDefined();
    expect(area.figures.notification.sent).toBeGreaterThanOrEqual(population);
    expect(area.figures.supplies.reserved).toBeGreaterThan(0);
    expect(area.figures.supplies.issued).toBe(area.figures.supplies.reserved);
    expect(area.figures.personnel.acknowledged).toBeGreaterThanOrEqual(1);
    expect(area.figures.personnel.done).toBeGreaterThanOrEqual(1);
    // An award per completed task; its points may be 0 once the responder's daily cap is spent by earlier drills today.
    expect(area.figures.incentives.awards).toBeGreaterThanOrEqual(1);
    expect(area.figures.incentives.points).toBeGreaterThanOrEqual(0);
  });

  it('left each service’s own record in its own database', async () => {
    await withMongo(async (mongo) => {
      const reached = await reachedAtGateway(mongo, incidentId, 'warn-residents');
      expect(reached).toHaveLength(population);
      expect(new Set(reached).size).toBe(population);
      const reservations = await mongo.db('lifeline_supplies').collection('reservations').find({ incidentId }).toArray();
      expect(reservations).toHaveLength(1);
      expect(reservations[0]!.status).toBe('returned');
      const tasks = await mongo.db('lifeline_personnel').collection('tasks').find({ incidentId }).toArray();
      expect(tasks.length).toBeGreaterThanOrEqual(1);
      expect(tasks.every((t) => t.status === 'done' && typeof t.ownerId === 'string')).toBe(true);
      const entries = await mongo.db('lifeline_incentives').collection('ledger_entries').countDocuments({ incidentId });
      expect(entries).toBe(tasks.length);
    });
  });

  it('is findable in Temporal by its search attributes, with a child workflow per community', async () => {
    await withTemporal(async (client) => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `LifelineIncidentId = "${incidentId}"` })) ids.push(wf.workflowId);
      expect(ids).toContain(`incident-${incidentId}`);
      const incident = await client.workflow.getHandle(`incident-${incidentId}`).describe();
      expect(incident.searchAttributes.LifelinePlanId).toEqual(['community-drill']);
      expect(incident.searchAttributes.LifelineDrill).toEqual([true]);
      expect(incident.searchAttributes.LifelinePhase).toEqual(['closed']);
      const child = await client.workflow.getHandle(`incident-${incidentId}/community-${community.id}`).describe();
      expect(child.status.name).toBe('COMPLETED');
    });
  });

  it('serves the after-action report once reviewed', async () => {
    const report = await http<unknown>('GET', `/v1/incidents/${incidentId}/report`, 'auditor');
    expect(report.status).toBe(200);
    // The report is what the contract says (an integrator generates clients from it), and it counts every warned resident.
    const parsed = AfterActionReport.parse(report.body);
    expect(parsed.incidentId).toBe(incidentId);
    expect(parsed.warning.sent).toBeGreaterThanOrEqual(population);
    expect(parsed.phases.map((p) => p.phase)).toEqual(expect.arrayContaining(['warn', 'mobilize', 'respond', 'recover', 'review']));
  });

  it('refuses commands once closed, with a structured error', async () => {
    const answer = await http<{ error: { code: string } }>('POST', `/v1/incidents/${incidentId}/commands`, 'operator', { type: 'advance', reason: 'too late' });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('invalid_state');
  });
});

describe('stand-down', () => {
  it('cancels the rest of the plan, releases what was reserved and closes cancelled', async () => {
    const started = await start({ ...drill('E2E stand-down'), severity: 'III' });
    expect(started.status).toBe(202);
    const { incidentId } = started.body;
    await waitForIncident(incidentId, (v) => ['mobilize', 'respond'].includes(v.phase), 60_000);
    const refused = await http<{ error: { code: string } }>('POST', `/v1/incidents/${incidentId}/commands`, 'operator', { type: 'stand-down', reason: 'operators may not' });
    expect(refused.status).toBe(403);
    const accepted = await http('POST', `/v1/incidents/${incidentId}/commands`, 'commander', { type: 'stand-down', reason: 'false alarm' });
    expect(accepted.status).toBe(200);
    const final = await waitForIncident(incidentId, (v) => v.phase === 'closed');
    expect(final.status).toBe('cancelled');
    await withMongo(async (mongo) => {
      const open = await mongo.db('lifeline_supplies').collection('reservations').countDocuments({ incidentId, status: { $in: ['pending', 'reserved', 'issued'] } });
      expect(open).toBe(0);
      const tasks = await mongo.db('lifeline_personnel').collection('tasks').countDocuments({ incidentId, status: { $in: ['assigned', 'acknowledged', 'in-progress'] } });
      expect(tasks).toBe(0);
    });
  });
});

describe('bad input changes nothing', () => {
  it('an invalid start gets 400 with the offending paths and creates no incident', async () => {
    const before = await http<{ incidents: unknown[] }>('GET', '/v1/incidents', 'auditor');
    const answer = await http<{ error: { code: string; details: { path: string }[] } }>('POST', '/v1/incidents', 'operator', { planId: 'community-drill', severity: 'V', area: {}, title: '' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.details.map((d) => d.path)).toEqual(expect.arrayContaining(['severity', 'title']));
    const after = await http<{ incidents: unknown[] }>('GET', '/v1/incidents', 'auditor');
    expect(after.body.incidents.length).toBe(before.body.incidents.length);
  });

  it('an unknown plan is 404, a malformed body 400, a missing token 401, an auditor starting 403', async () => {
    expect((await start({ ...drill('x'), planId: 'no-such-plan' })).status).toBe(404);
    expect((await http('POST', '/v1/incidents', 'operator', '{"planId":')).status).toBe(400);
    expect((await http('GET', '/v1/incidents', null)).status).toBe(401);
    expect((await http('POST', '/v1/incidents', 'auditor', drill('x'))).status).toBe(403);
  });

  it('an invalid command is refused before it reaches the workflow', async () => {
    const answer = await http<{ error: { code: string } }>('POST', '/v1/incidents/inc-none/commands', 'commander', { type: 'explode', reason: 'x' });
    expect(answer.status).toBe(400);
  });
});

describe('every service answers', () => {
  it.each(['supplies', 'personnel', 'notification', 'incentives'])('%s answers the NATS services-framework ping', async (name) => {
    await withNats(async (nc) => {
      const reply = await nc.request(`$SRV.PING.${name}`, undefined, { timeout: 3000 });
      expect(JSON.parse(new TextDecoder().decode(reply.data)).name).toBe(name);
    });
  });

  it('the command-center reports healthy', async () => {
    const health = await http<{ status: string }>('GET', '/v1/health', null);
    expect(health.body.status).toBe('ok');
  });
});
