/**
 * Every request a caller can send is held to its contract (#18 item 1): each NATS endpoint of the catalogue and each
 * HTTP route answers malformed and unknown-field requests with a structured refusal naming the problem, and nothing
 * is written — the services' stores and the JetStream streams are the same before and after.
 */
import { createHash } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { ALL_ENDPOINTS, STREAMS, type Endpoint } from '@lifeline/contracts';
import { buildOpenApi } from '@lifeline/contracts/docs';
import { APPS } from '@lifeline/local-stack';
import { decodeJson, type NatsConnection } from '@lifeline/platform';
import { connectAdmin, env, tokenFor, withMongo } from '@lifeline/testkit';

const DATABASES = ['lifeline_supplies', 'lifeline_personnel', 'lifeline_notification', 'lifeline_incentives', 'lifeline_command_center'];
/** The command-center counts each caller's changes per minute in the store (shared across replicas): a refused change still counts. */
const COUNTERS = /rate/i;

/** Every collection of every service's store (count and a digest of its documents), and every stream's last sequence. */
async function snapshot(mongo: MongoClient, nc: NatsConnection): Promise<Record<string, string>> {
  const started = Date.now();
  const out: Record<string, string> = {};
  await Promise.all(
    DATABASES.map(async (name) => {
      const db = mongo.db(name);
      for (const { name: collection } of await db.listCollections({}, { nameOnly: true }).toArray()) {
        if (COUNTERS.test(collection)) continue;
        const docs = await db.collection(collection).find({}).sort({ _id: 1 }).toArray();
        out[`${name}.${collection}`] = `${docs.length}:${createHash('sha256').update(JSON.stringify(docs)).digest('hex')}`;
      }
    }),
  );
  for (const stream of Object.values(STREAMS)) {
    const info = decodeJson((await nc.request(`$JS.API.STREAM.INFO.${stream.name}`, undefined, { timeout: 5_000 })).data) as { state: { last_seq: number } };
    out[`stream ${stream.name}`] = String(info.state.last_seq);
  }
  process.stderr.write(`[strict] snapshot of ${Object.keys(out).length} collections and streams in ${Date.now() - started} ms\n`);
  return out;
}

interface NatsReply {
  ok: boolean;
  error?: { code: string; message: string; details?: { path: string; message: string; unknownKey?: string }[] };
}

async function ask(nc: NatsConnection, subject: string, body: string): Promise<NatsReply> {
  const reply = await nc.request(subject, new TextEncoder().encode(body), { timeout: 10_000 });
  return decodeJson(reply.data) as NatsReply;
}

/** Malformed bodies every endpoint must refuse: not JSON, not an object, and an object with only an unknown field. */
const MALFORMED = ['{"quantity":', '[]', 'null', '"reserve"', '42'];

/** Valid requests with one unknown field somewhere inside: each must be refused at that field's path. */
const NESTED: [Endpoint, unknown, string][] = (() => {
  const byVerb = (service: string, verb: string) => ALL_ENDPOINTS.find((e) => e.service === service && e.verb === verb)!;
  const name = { zh: '测试', en: 'Test' };
  return [
    [byVerb('notification', 'simulator'), { x: 1 }, 'x'],
    [byVerb('notification', 'simulator'), { failFor: [{ residentId: 'strict-r-1', channel: 'sms', always: true }] }, 'failFor.0.always'],
    [byVerb('personnel', 'seed'), { x: 1 }, 'x'],
    [byVerb('personnel', 'seed'), { units: [{ id: 'strict-u-1', level: 'community', name, populaton: 10 }] }, 'units.0.populaton'],
    [byVerb('supplies', 'seed'), { depots: [{ id: 'strict-d-1', name: { ...name, fr: 'Essai' }, level: 'city', areaId: 'strict-city' }], items: [], lots: [] }, 'depots.0.name.fr'],
    [byVerb('notification', 'seed'), { residents: [{ id: 'strict-r-1', communityId: 'strict-c', gridId: 'g', buildingId: 'b', name: 'Test', phone: '+8613800000000', address: 'x', age: 80 }] }, 'residents.0.age'],
    [byVerb('supplies', 'reserve'), { idempotencyKey: 'strict:reserve:1', incidentId: 'strict-i', communityId: 'strict-c', lines: [{ itemCode: 'tent', quantitty: 2, quantity: 2 }] }, 'lines.0.quantitty'],
    [
      byVerb('notification', 'broadcast'),
      { idempotencyKey: 'strict:broadcast:1', incidentId: 'strict-i', stepId: 's', communityId: 'strict-c', audience: { groups: ['everyone'], grids: ['g'] }, channels: ['sms'], message: name, severity: 'IV' },
      'audience.grids',
    ],
    [byVerb('personnel', 'resolve-area'), { area: { communityIds: ['strict-c'], cityWid: true } }, 'area.cityWid'],
    [byVerb('incentives', 'award'), { idempotencyKey: 'strict:award:1', incidentId: 'strict-i', severity: 'IV', cause: { kind: 'task-completed', taskId: 't', bonus: 5 }, participantId: 'p', personType: 'volunteer', hours: 1 }, 'cause.bonus'],
    [byVerb('incentives', 'catalogue'), { all: true }, 'all'],
    [byVerb('incentives', 'verify'), { participantId: 'p', repair: true }, 'repair'],
  ];
})();

describe('NATS endpoints hold every request to its contract', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connectAdmin('strict-requests');
  });
  afterAll(() => nc.close());

  it('every endpoint refuses malformed bodies and unknown fields with a structured error naming them, and nothing is written', async () => {
    const started = Date.now();
    await withMongo(async (mongo) => {
      const before = await snapshot(mongo, nc);
      const refusals: string[] = [];
      for (const ep of ALL_ENDPOINTS) {
        for (const body of MALFORMED) {
          const reply = await ask(nc, ep.subject, body);
          if (reply.ok || reply.error?.code !== 'invalid_request' || !reply.error.message) refusals.push(`${ep.subject} ${body} -> ${JSON.stringify(reply)}`);
        }
        const unknown = await ask(nc, ep.subject, '{"quantitty":1}');
        if (unknown.ok || !unknown.error?.details?.some((d) => d.path === 'quantitty' && d.unknownKey === 'quantitty')) refusals.push(`${ep.subject} {"quantitty":1} -> ${JSON.stringify(unknown)}`);
      }
      for (const [ep, body, path] of NESTED) {
        const reply = await ask(nc, ep.subject, JSON.stringify(body));
        const named = reply.error?.details?.filter((d) => d.unknownKey !== undefined).map((d) => d.path);
        if (reply.ok || reply.error?.code !== 'invalid_request' || JSON.stringify(named) !== JSON.stringify([path])) refusals.push(`${ep.subject} ${JSON.stringify(body)} -> ${JSON.stringify(reply)}`);
      }
      process.stderr.write(`[strict] ${ALL_ENDPOINTS.length} endpoints asked in ${Date.now() - started} ms (snapshot included)\n`);
      expect(refusals).toEqual([]);
      expect(await snapshot(mongo, nc)).toEqual(before);
    });
  }, 240_000);

  it('every endpoint of the catalogue answers (the local stack is a sandbox, so the simulator is served)', () => {
    expect(ALL_ENDPOINTS.find((e) => e.verb === 'simulator')?.sandboxOnly).toBe(true);
    expect(ALL_ENDPOINTS.length).toBeGreaterThan(50);
  });
});

// ── HTTP ─────────────────────────────────────────────────────────────────────────────────────────────

type Operation = { requestBody?: unknown; parameters?: { in: string; name: string }[] };
const openApi = buildOpenApi() as { paths: Record<string, Record<string, Operation>> };
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const concrete = (path: string) => path.replace(/\{version\}|\{a\}/g, '1').replace(/\{b\}/g, '2').replace(/\{[^}]+\}/g, 'strict-none');

const serviceBase = (name: string) => {
  const port = Number(new URL(env.http).port) + APPS.find((a) => a.name === name)!.httpPortOffset!;
  return `http://127.0.0.1:${port}`;
};

/** The services' own read-only routes (services/<name>/src/http.ts) with the query each parses. */
const SERVICE_ROUTES: [service: string, path: string, query: string][] = [
  ['supplies', '/v1/stock', 'areaId=strict-city'],
  ['supplies', '/v1/reservations', 'incidentId=strict-i'],
  ['supplies', '/v1/summary', 'incidentId=strict-i'],
  ['supplies', '/v1/readiness', 'areaId=strict-city'],
  ['supplies', '/v1/sites', 'incidentId=strict-i'],
  ['personnel', '/v1/tasks', 'incidentId=strict-i'],
  ['personnel', '/v1/people', 'communityId=strict-c'],
  ['notification', '/v1/jobs', 'incidentId=strict-i'],
  ['notification', '/v1/incidents/strict-i/residents/strict-r/deliveries', 'stepId=s'],
  ['incentives', '/v1/ledger/strict-p', 'limit=5'],
  ['incentives', '/v1/leaderboard', 'communityId=strict-c'],
];

let caller = 0;
/** Each request as a different admin: the per-caller change budget is not what is tested here. */
async function send(base: string, method: string, path: string, body?: string) {
  caller += 1;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokenFor('admin', `strict-${caller}`)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body,
  });
  const text = await res.text();
  return { status: res.status, allow: res.headers.get('allow'), body: (text ? JSON.parse(text) : undefined) as NatsReply | undefined };
}

describe('HTTP routes hold every request to their contract', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connectAdmin('strict-requests-http');
  });
  afterAll(() => nc.close());

  it('undeclared methods answer 405 with Allow on every command-center path and every service route', async () => {
    const wrong: string[] = [];
    const targets = [
      ...Object.entries(openApi.paths).map(([path, ops]) => ({ base: env.http, path: concrete(path), declared: Object.keys(ops).map((m) => m.toUpperCase()) })),
      ...SERVICE_ROUTES.map(([service, path]) => ({ base: serviceBase(service), path, declared: ['GET'] })),
    ];
    for (const { base, path, declared } of targets) {
      const allow = [...declared, ...(declared.includes('GET') ? ['HEAD'] : [])].sort().join(', ');
      for (const method of METHODS.filter((m) => !declared.includes(m))) {
        const res = await send(base, method, path);
        if (res.status !== 405 || res.allow !== allow || res.body?.error?.code !== 'method_not_allowed') wrong.push(`${method} ${path} -> ${res.status} allow=${res.allow} ${JSON.stringify(res.body)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect((await send(env.http, 'GET', '/v1/no-such-route')).status).toBe(404);
  });

  it('bodies and queries with unknown fields, or not JSON, are refused with 400 naming them, and nothing is written', async () => {
    await withMongo(async (mongo) => {
      const before = await snapshot(mongo, nc);
      const wrong: string[] = [];
      const unknownNamed = (res: Awaited<ReturnType<typeof send>>, path = 'quantitty') => res.status === 400 && res.body?.error?.code === 'invalid_request' && res.body.error.details?.some((d) => d.path === path && d.unknownKey !== undefined);
      for (const [path, ops] of Object.entries(openApi.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const url = concrete(path);
          if (op.requestBody) {
            // A union's branch is chosen by its discriminator first: a command names its type, or no branch is read.
            const minimal = path.endsWith('/commands') ? { type: 'advance', reason: 'strict' } : {};
            for (const body of [JSON.stringify({ ...minimal, quantitty: 1 }), JSON.stringify({ ...minimal, plan: { id: 'x' }, quantitty: 1 })]) {
              const res = await send(env.http, method.toUpperCase(), url, body);
              if (!unknownNamed(res)) wrong.push(`${method} ${url} ${body} -> ${res.status} ${JSON.stringify(res.body)}`);
            }
            for (const body of ['{"quantitty":', '[]']) {
              const res = await send(env.http, method.toUpperCase(), url, body);
              if (res.status !== 400 || res.body?.error?.code !== 'invalid_request') wrong.push(`${method} ${url} ${body} -> ${res.status} ${JSON.stringify(res.body)}`);
            }
          }
          if (op.parameters?.some((p) => p.in === 'query')) {
            const res = await send(env.http, method.toUpperCase(), `${url}?quantitty=1`);
            if (!unknownNamed(res)) wrong.push(`${method} ${url}?quantitty=1 -> ${res.status} ${JSON.stringify(res.body)}`);
          }
        }
      }
      for (const [service, path, query] of SERVICE_ROUTES) {
        const res = await send(serviceBase(service), 'GET', `${path}?${query}&quantitty=1`);
        if (!unknownNamed(res)) wrong.push(`${service} GET ${path}?${query}&quantitty=1 -> ${res.status} ${JSON.stringify(res.body)}`);
      }
      const typo = await send(env.http, 'POST', '/v1/incidents', JSON.stringify({ planId: 'community-drill', severity: 'IV', title: 'strict', drill: true, area: { communityIds: ['strict-c'], comunityIds: ['x'] } }));
      if (!unknownNamed(typo, 'area.comunityIds')) wrong.push(`POST /v1/incidents with area.comunityIds -> ${typo.status} ${JSON.stringify(typo.body)}`);
      expect(wrong).toEqual([]);
      expect(await snapshot(mongo, nc)).toEqual(before);
    });
  }, 240_000);
});
