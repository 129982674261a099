import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { PHASES, PlanDocument, workflowIds, type AfterActionReport, type IncidentView, type PlanInput } from '@lifeline/contracts';
import { commandUpdate, statusQuery } from '@lifeline/workflows';
import { buildCity, env, http, pollUntil, publishApprovedPlan, sendCity, tokenFor, withMongo, withNats, withTemporal } from '@lifeline/testkit';

/**
 * The plan's `open-site` step on the real stack (worker → supplies → FerretDB): the bundled production-safety plan
 * opens upwind assembly sites (parks, squares) for 30 % of the community in mobilize at severity II or I. The incidents are NOT drills
 * (a drill's sites are chosen but not recorded as open by supplies), so the openings are checked in the supplies
 * service's own database: open while the incident holds in respond, closed when recover ends — or, for the
 * second incident, by the stand-down's compensation. Dispatch and award steps are left out (nobody would
 * acknowledge outside a drill); the rest of the plan runs as bundled. The incidents are started through the
 * command-center (the plan published under a fresh id), so their after-action reports are read from its API: each
 * lists the sites supplies opened, with the places asked for and held, and when they were closed.
 */
jest.setTimeout(300_000);

const CITY = { communities: 2, residents: 600, seed: 2026, today: new Date().toISOString().slice(0, 10) };
const city = buildCity(CITY);
const community = city.units.find((u) => u.id === 'c0001')!;
const bundled = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../services/command-center/plans/production-safety.json'), 'utf8')) as PlanInput;

function sitesPlan(): PlanDocument {
  const plan = { ...structuredClone(bundled), id: `e2e-sites-${randomUUID().slice(0, 8)}`, version: 1 };
  for (const phase of PHASES) plan.phases[phase] = (plan.phases[phase] ?? []).filter((s) => s.kind !== 'dispatch' && s.kind !== 'award');
  plan.phases.respond = [{ id: 'hold-for-operator', kind: 'await', for: 'operator', title: { zh: '等待指挥部', en: 'Hold for the operator' } }, ...(plan.phases.respond ?? [])];
  return PlanDocument.parse(plan);
}

const until = <T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 180_000) => pollUntil(what, get, { until: ok, timeoutMs, everyMs: 1000 });

interface Opening {
  _id: string;
  incidentId: string;
  communityId: string;
  siteId: string;
  kind: string;
  capacity: number;
  status: 'open' | 'closed';
}
const openingsOf = (incidentId: string) => withMongo(async (mongo) => (await mongo.db('lifeline_supplies').collection('siteopenings').find({ incidentId }).toArray()) as unknown as Opening[]);

const plan = sitesPlan();

beforeAll(async () => {
  expect(community).toBeDefined();
  await withNats((nc) => sendCity(nc, city));
  await publishApprovedPlan(plan);
});

it('open-site opens sites in supplies for the share of the population, and they are closed when recover ends or on stand-down', async () => {
  const step = plan.phases.mobilize.find((s) => s.kind === 'open-site');
  if (step?.kind !== 'open-site') throw new Error('production-safety has no open-site step in mobilize');
  const places = Math.ceil((community.population ?? 0) * step.capacityShare);
  const kinds: readonly string[] = step.siteKinds;
  expect(places).toBeGreaterThan(0);
  const start = async (title: string) => {
    const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'commander', { planId: plan.id, severity: 'II', area: { communityIds: [community.id] }, title, drill: false });
    expect(started.status).toBe(202);
    return started.body.incidentId;
  };
  const ids = { completes: await start('E2E open-site'), standsDown: await start('E2E open-site, stood down') };

  await withTemporal(async (client) => {
    const handles = { completes: client.workflow.getHandle(workflowIds.incident(ids.completes)), standsDown: client.workflow.getHandle(workflowIds.incident(ids.standsDown)) };
    try {
      await exercise(handles);
    } catch (err) {
      // Do not leave incidents holding for an operator on the shared stack.
      await Promise.all(Object.values(handles).map((h) => h.terminate('engine-sites test failed').catch(() => undefined)));
      throw err;
    }
  });

  async function exercise(handles: { completes: WorkflowHandle; standsDown: WorkflowHandle }) {
    // A query fails until the worker has run the incident's first workflow task (slow on a busy worker): not yet.
    const status = (h: WorkflowHandle) => h.query(statusQuery).catch(() => undefined);
    const holding = (h: WorkflowHandle) => until('the incident holds in respond', () => status(h), (v?: IncidentView) => v?.timeline.some((t) => t.what.includes('waiting for the operator')) ?? false);
    await Promise.all([holding(handles.completes), holding(handles.standsDown)]);

    // While the incident holds in respond, supplies records the sites as open for it, with room for the share asked.
    for (const incidentId of Object.values(ids)) {
      const open = await openingsOf(incidentId);
      expect(open.length).toBeGreaterThan(0);
      expect(open.every((o) => o.status === 'open' && o.communityId === community.id && kinds.includes(o.kind))).toBe(true);
      expect(open.reduce((n, o) => n + o.capacity, 0)).toBeGreaterThanOrEqual(places);
      expect(open.map((o) => o._id).sort()).toEqual(open.map((o) => `${incidentId}/${o.siteId}`).sort());
    }

    await handles.completes.executeUpdate(commandUpdate, { args: [{ type: 'advance', reason: 'air quality back to normal' }] });
    await handles.standsDown.executeUpdate(commandUpdate, { args: [{ type: 'stand-down', reason: 'leak contained' }] });
    const finals = { completes: (await handles.completes.result()) as IncidentView, standsDown: (await handles.standsDown.result()) as IncidentView };
    expect(finals.completes).toMatchObject({ phase: 'closed', status: 'completed' });
    expect(finals.standsDown).toMatchObject({ phase: 'closed', status: 'cancelled' });
    for (const final of Object.values(finals)) {
      const notes = (final.review?.findings ?? []).map((f) => f.finding);
      expect(notes.filter((f) => /open-upwind-assembly|sites|not executed/.test(f))).toEqual([]);
    }
  }

  // Closed in the supplies service's records: by the recover run for the first, by the compensation for the second.
  for (const incidentId of Object.values(ids)) {
    const after = await openingsOf(incidentId);
    expect(after.length).toBeGreaterThan(0);
    expect(after.map((o) => o.status)).toEqual(after.map(() => 'closed'));
  }
  // Each close was one keyed command: workflow id + the closing step + the step that opened them.
  const closeId = (key: string) => `close-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  const keys = [
    `${workflowIds.community(ids.completes, community.id)}:close-sites:${step.id}`,
    `${workflowIds.community(ids.standsDown, community.id)}:stand-down-close-sites:${step.id}`,
  ];
  const commands = await withMongo(async (mongo) => mongo.db('lifeline_supplies').collection('sitecommands').find({ _id: { $in: keys.map(closeId) } as never }).toArray());
  expect(commands).toHaveLength(2);

  // The after-action report lists the sites supplies opened, the places asked for and held, and the close.
  for (const incidentId of Object.values(ids)) {
    const opened = await openingsOf(incidentId);
    const answer = await http<AfterActionReport>('GET', `/v1/incidents/${incidentId}/report`, 'auditor');
    expect(answer.status).toBe(200);
    const report = answer.body;
    expect(report.sites).toHaveLength(1);
    const [sites] = report.sites!;
    expect(sites).toMatchObject({ communityId: community.id, stepId: step.id, phase: 'mobilize', siteKinds: kinds, capacity: opened.reduce((n, o) => n + o.capacity, 0), openAtEnd: false });
    expect([...sites!.siteIds].sort()).toEqual(opened.map((o) => o.siteId).sort());
    // The ask is known from the record when the sites fell short; with room enough it was at most what they held.
    if (sites!.shortfall > 0) expect(sites!.requested).toBe(places);
    else expect(sites!.capacity).toBeGreaterThanOrEqual(places);
    expect(sites!.closedAt).not.toBeNull();
    expect(Date.parse(sites!.closedAt!)).toBeGreaterThan(Date.parse(sites!.openedAt));
    expect(report.findings.filter((f) => f.code === 'sites-left-open')).toEqual([]);
    const page = await fetch(`${env.http}/v1/incidents/${incidentId}/report?format=html&lang=en`, { headers: { authorization: `Bearer ${tokenFor('auditor')}` } });
    const html = await page.text();
    expect(html).toContain('<h2 id="sites">Shelters and gathering sites</h2>');
    for (const id of sites!.siteIds) expect(html).toContain(id);
  }
});
