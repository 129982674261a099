/**
 * A plan's dry run (#17 item 5) through the real stack: `POST /v1/plans/flood-typhoon/preview` for an area, then a
 * drill of the same plan, severity and area; the preview's figures are checked against what the drill made each
 * service record (not the workflow's belief), and the preview — and every refused one — wrote nothing: no document
 * in any service's store and no message on either stream.
 *
 * Tolerances: residents in scope, messages per channel, units requested per item, units reserved per item, tasks
 * per role and the sites chosen with their places are exact (the drill's simulated gateway fails nothing, drills hold no stock, and the drill's
 * responders acknowledge, so no fallback adds a task). Predicted seconds are a prediction and are not compared.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { notification, STREAMS, supplies } from '@lifeline/contracts';
import type { PlanPreview } from '@lifeline/contracts/http/plan-preview';
import { call, decodeJson, type NatsConnection } from '@lifeline/platform';
import { buildCity, connectAdmin, env, http, sendCity, suppliesExtras, waitForIncident, withMongo } from '@lifeline/testkit';

jest.setTimeout(240_000);

const DATABASES = ['lifeline_supplies', 'lifeline_personnel', 'lifeline_notification', 'lifeline_incentives', 'lifeline_command_center'];
/** The command-center's per-caller change counters (the preview is not counted, but other requests of the run are). */
const COUNTERS = /rate/i;
const CITY = { communities: 2, residents: 600, seed: 1717, today: new Date().toISOString().slice(0, 10) };
const city = buildCity(CITY);
const communityIds = city.units.filter((u) => u.level === 'community').map((u) => u.id);
const PLAN = 'flood-typhoon';
const SEVERITY = 'II';
const area = { communityIds };

/** Documents per collection of every service's store, and each stream's last sequence. */
async function snapshot(mongo: MongoClient, nc: NatsConnection): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of DATABASES) {
    const db = mongo.db(name);
    for (const { name: collection } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (!COUNTERS.test(collection)) out[`${name}.${collection}`] = await db.collection(collection).countDocuments({});
    }
  }
  for (const stream of Object.values(STREAMS)) {
    const info = decodeJson((await nc.request(`$JS.API.STREAM.INFO.${stream.name}`, undefined, { timeout: 5_000 })).data) as { state: { last_seq: number } };
    out[`stream ${stream.name}`] = info.state.last_seq;
  }
  return out;
}

/** `lifeline plan preview … --json` against this run's stack. */
function cliPreview(): Promise<PlanPreview> {
  const args = ['--import', 'tsx', path.resolve(__dirname, '../../cli/src/main.ts'), 'plan', 'preview', PLAN, '--severity', SEVERITY, '--area', `communities=${communityIds.join(',')}`, '--json'];
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { env: { ...process.env, LIFELINE_HTTP_URL: env.http, LIFELINE_TOKEN_SECRET: env.tokenSecret }, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as PlanPreview),
    ),
  );
}

let nc: NatsConnection;
beforeAll(async () => {
  nc = await connectAdmin('plan-preview');
  await sendCity(nc, city);
  await call(nc, supplies.seed, { depots: [], items: [], lots: [], ...suppliesExtras(city) }, { timeoutMs: 60_000 });
});
afterAll(() => nc.close());

describe('POST /v1/plans/:id/preview', () => {
  let preview: PlanPreview;

  it('refuses bad input with a structured 4xx, and neither a refused nor an answered preview writes anything', async () => {
    await withMongo(async (mongo) => {
      const before = await snapshot(mongo, nc);
      const refusals = [
        [{ severity: SEVERITY, area }, 'no-such-plan', 404, 'not_found'],
        [{ severity: SEVERITY, area: { communityIds: ['no-such-community'] } }, PLAN, 404, 'not_found'],
        [{ severity: 'V', area }, PLAN, 400, 'invalid_request'],
        [{ severity: SEVERITY, area, drill: true }, PLAN, 400, 'invalid_request'],
        [{ severity: SEVERITY, area: {} }, PLAN, 400, 'invalid_request'],
        [{ severity: SEVERITY, area, version: 99 }, PLAN, 404, 'not_found'],
      ] as const;
      for (const [body, planId, status, code] of refusals) {
        const answer = await http<{ error: { code: string; message: string } }>('POST', `/v1/plans/${planId}/preview`, 'operator', body);
        expect({ body, status: answer.status, code: answer.body.error?.code }).toEqual({ body, status, code });
        expect(answer.body.error.message.length).toBeGreaterThan(0);
      }
      const answer = await http<PlanPreview>('POST', `/v1/plans/${PLAN}/preview`, 'auditor', { severity: SEVERITY, area });
      expect(answer.status).toBe(200);
      preview = answer.body;
      // The CLI asks the same route and shows the same figures.
      expect(await cliPreview()).toEqual(preview);
      expect(await snapshot(mongo, nc)).toEqual(before);
    });
    expect(preview.totals.communities).toBe(2);
    expect(preview.totals.residents).toBeGreaterThan(0);
    expect(preview.residentsByGroup.map((g) => g.group)).toEqual(['vulnerable', 'everyone']);
    // warn-vulnerable, warn-residents, storm-update and all-clear: every notify step of the plan applies at II.
    expect(preview.notification.audiences.map((a) => a.stepId)).toEqual(['warn-vulnerable', 'warn-residents', 'storm-update', 'all-clear']);
    expect(preview.supplies.sites.length).toBeGreaterThan(0);
    expect(preview.personnel.byRole.length).toBeGreaterThan(0);
  });

  it('a drill of the same plan and area then does what the preview said', async () => {
    expect(preview).toBeDefined();
    const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'operator', { planId: PLAN, severity: SEVERITY, area, title: 'E2E preview then drill', drill: true });
    expect(started.status).toBe(202);
    const { incidentId } = started.body;
    const view = await waitForIncident(incidentId, (v) => v.phase === 'closed', 220_000);
    expect(view.status).toBe('completed');
    expect(view.planVersion).toBe(preview.planVersion);
    expect(view.severity).toBe(SEVERITY);

    // Residents and messages: notification's own jobs.
    const sent = await call(nc, notification.summary, { incidentId }, { timeoutMs: 10_000 });
    expect(sent.total).toBe(preview.notification.audiences.reduce((n, a) => n + a.recipients, 0));
    const byChannel = Object.fromEntries(Object.entries(sent.byChannel ?? {}).map(([c, f]) => [c, f.sent + f.failed]));
    expect(byChannel).toEqual(preview.notification.messages);
    await withMongo(async (mongo) => {
      const jobs = await mongo.db('lifeline_notification').collection<{ stepId: string; communityId: string; total: number }>('broadcast_jobs').find({ incidentId }).toArray();
      for (const a of preview.notification.audiences) {
        expect({ step: a.stepId, recipients: jobs.filter((j) => j.stepId === a.stepId).reduce((n, j) => n + j.total, 0) }).toEqual({ step: a.stepId, recipients: a.recipients });
      }
      const everyone = preview.notification.audiences.find((a) => a.groups.includes('everyone'))!;
      expect(everyone.recipients).toBe(preview.totals.residents);

      // Tasks per role and skill: personnel's own tasks.
      const tasks = await mongo.db('lifeline_personnel').collection<{ role: string; skill?: string }>('tasks').find({ incidentId }).toArray();
      const count = <T extends { role: string; skill?: string | undefined }>(list: T[], n: (x: T) => number) =>
        list.reduce<Record<string, number>>((acc, x) => ({ ...acc, [`${x.role}/${x.skill ?? ''}`]: (acc[`${x.role}/${x.skill ?? ''}`] ?? 0) + n(x) }), {});
      expect(count(tasks, () => 1)).toEqual(count(preview.personnel.tasks, (t) => t.tasks));

      // Sites: supplies' own answers to the drill's open-site commands (a drill records the choice, opens nothing).
      type Opening = { communityId: string; requested: number; capacity: number; shortfall: number; sites: { siteId: string }[] };
      const opened = await mongo.db('lifeline_supplies').collection<{ _id: string; result: Opening & { incidentId: string } }>('sitecommands').find({ 'result.incidentId': incidentId, _id: { $regex: /^open-/ } }).toArray();
      const shape = (o: Opening) => ({ communityId: o.communityId, requested: o.requested, capacity: o.capacity, shortfall: o.shortfall, sites: o.sites.map((x) => x.siteId).sort() });
      const byCommunity = (a: { communityId: string }, b: { communityId: string }) => (a.communityId < b.communityId ? -1 : 1);
      expect(opened.map((o) => shape(o.result)).sort(byCommunity)).toEqual(preview.supplies.sites.map(shape).sort(byCommunity));
    });

    // Supplies: supplies' own reservations, per item.
    const stock = await call(nc, supplies.summary, { incidentId }, { timeoutMs: 10_000 });
    const previewed = new Map<string, { requested: number; reservable: number }>();
    for (const row of preview.supplies.byItem) {
      const p = previewed.get(row.itemCode) ?? { requested: 0, reservable: 0 };
      previewed.set(row.itemCode, { requested: p.requested + row.requested, reservable: p.reservable + row.reservable });
    }
    const reserved = Object.fromEntries(Object.entries(stock.byItem ?? {}).map(([item, f]) => [item, { requested: f.reserved + f.shortfall, reservable: f.reserved }]));
    expect(reserved).toEqual(Object.fromEntries(previewed));
  });
});
