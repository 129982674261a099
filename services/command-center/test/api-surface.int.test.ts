import { Svcm } from '@nats-io/services';
import type { Role } from '@lifeline/contracts';
import { env, http, tokenFor, withNats } from '@lifeline/testkit';
import { gatedPlan } from './support/gated-plan';
import { startOfAWindow } from './support/rate-window';

/**
 * The HTTP surface against the running command-center: every documented route refuses a missing or bad token (401)
 * and every role it does not allow (403); client mistakes get structured 4xx answers; changes are rate-limited;
 * the AsyncAPI document lists exactly the endpoints the NATS services announce.
 */
jest.setTimeout(120_000);

type Operation = { 'x-roles'?: string[]; 'x-rate-limited'?: boolean; security?: unknown[] };
type OpenApi = { paths: Record<string, Record<string, Operation>> };
const ROLES: Role[] = ['auditor', 'operator', 'commander', 'admin'];
/** A concrete URL for a documented path (ids that do not exist: auth is decided before any lookup). */
const concrete = (p: string) => p.replace('{id}', 'no-such-id').replace(/\{(version|a|b)\}/g, '1');
/** Bodies that would pass validation, so a 403 cannot be a 400 in disguise. */
const BODY: Record<string, unknown> = {
  'POST /v1/incidents': { planId: 'community-drill', severity: 'IV', area: { communityIds: ['c0001'] }, title: 'auth test', drill: true },
  'POST /v1/incidents/{id}/commands': { type: 'advance', reason: 'auth test' },
  'POST /v1/plans': { plan: gatedPlan() },
  'POST /v1/plans/{id}/versions': { plan: gatedPlan() },
  'POST /v1/incidents/{id}/report/proposals/accept': { all: true },
};

async function raw(method: string, path: string, init: { token?: string; body?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${env.http}${path}`, {
    method,
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: kept as text so the assertion shows it */
  }
  return { status: res.status, body: body as { error?: { code: string; message: string; details?: unknown } }, headers: res.headers };
}

let openApi: OpenApi;
const cases: { key: string; method: string; path: string; roles: string[] }[] = [];

beforeAll(async () => {
  openApi = (await http<OpenApi>('GET', '/v1/openapi.json', null)).body;
  for (const [p, ops] of Object.entries(openApi.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (op['x-roles']) cases.push({ key: `${method.toUpperCase()} ${p}`, method: method.toUpperCase(), path: p, roles: op['x-roles'] });
    }
  }
});

describe('authentication and roles, for every documented route', () => {
  it('has a case for every documented route except the four open ones (health, status and the two documents)', () => {
    const all = Object.values(openApi.paths).flatMap((ops) => Object.values(ops));
    const open = all.filter((op) => Array.isArray(op.security) && op.security.length === 0);
    expect(open).toHaveLength(4);
    expect(cases).toHaveLength(all.length - 4);
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  it('answers 401 without a token, with a malformed token and with a token signed by someone else', async () => {
    const forged = tokenFor('admin').replace(/\.[^.]+$/, '.c2lnbmVkLWJ5LXNvbWVvbmUtZWxzZQ');
    for (const c of cases) {
      const body = BODY[c.key] === undefined ? undefined : JSON.stringify(BODY[c.key]);
      for (const token of [undefined, 'not-a-jwt', forged]) {
        const answer = await raw(c.method, concrete(c.path), { token, body });
        expect([c.key, token?.slice(0, 10), answer.status, answer.body.error?.code]).toEqual([c.key, token?.slice(0, 10), 401, 'unauthorized']);
      }
    }
  });

  it('answers 403 to every role the route does not allow (admin may do everything)', async () => {
    let refused = 0;
    for (const c of cases) {
      const body = BODY[c.key] === undefined ? undefined : JSON.stringify(BODY[c.key]);
      for (const role of ROLES.filter((r) => r !== 'admin' && !c.roles.includes(r))) {
        const answer = await raw(c.method, concrete(c.path), { token: tokenFor(role, `roles-${role}`), body });
        expect([c.key, role, answer.status, answer.body.error?.code]).toEqual([c.key, role, 403, 'forbidden']);
        refused++;
      }
    }
    expect(refused).toBeGreaterThanOrEqual(8);
  });

  it('lets the allowed roles past the role check (the answer is about the missing id, not the role)', async () => {
    for (const c of cases) {
      const body = BODY[c.key] === undefined ? undefined : JSON.stringify(BODY[c.key]);
      for (const role of ROLES.filter((r) => c.roles.includes(r))) {
        if (c.key === 'POST /v1/incidents' || c.key === 'POST /v1/plans' || c.key === 'GET /v1/incidents/{id}/events') continue; // would create or stream
        const answer = await raw(c.method, concrete(c.path), { token: tokenFor(role, `roles-${role}`), body });
        expect([c.key, role, answer.status < 500, answer.status === 401 || answer.status === 403]).toEqual([c.key, role, true, false]);
      }
    }
  });

  it('refuses an operator the commander-only commands', async () => {
    for (const type of ['stand-down', 'escalate', 'deescalate']) {
      const answer = await http<{ error: { code: string } }>('POST', '/v1/incidents/no-such-id/commands', 'operator', { type, reason: 'not mine' });
      expect([type, answer.status, answer.body.error.code]).toEqual([type, 403, 'forbidden']);
    }
  });
});

describe('client mistakes get structured 4xx answers, never a 5xx', () => {
  const commander = () => tokenFor('commander', 'mistakes');
  const MISTAKES: [string, string, string, { body?: string; headers?: Record<string, string> }?][] = [
    ['malformed JSON', 'POST', '/v1/incidents', { body: '{"planId": ' }],
    ['a JSON array instead of an object', 'POST', '/v1/incidents', { body: '[1,2,3]' }],
    ['unknown fields', 'POST', '/v1/incidents', { body: JSON.stringify({ ...(BODY['POST /v1/incidents'] as object), extra: 1 }) }],
    ['an area naming nothing', 'POST', '/v1/incidents', { body: JSON.stringify({ ...(BODY['POST /v1/incidents'] as object), area: {} }) }],
    ['a bad Idempotency-Key', 'POST', '/v1/incidents', { body: JSON.stringify(BODY['POST /v1/incidents']), headers: { 'idempotency-key': 'short' } }],
    ['a body over 1 MB', 'POST', '/v1/incidents', { body: JSON.stringify({ title: 'x'.repeat(1_100_000) }) }],
    ['an invalid incident id', 'GET', '/v1/incidents/NOT_A_SLUG', {}],
    ['a bad percent-encoding in the path', 'GET', '/v1/incidents/%E0%A4%A', {}],
    ['an incident id longer than 63', 'GET', `/v1/incidents/${'a'.repeat(80)}`, {}],
    ['an unknown incident', 'GET', '/v1/incidents/inc-19700101-00000000', {}],
    ['an unknown filter', 'GET', '/v1/incidents?colour=red', {}],
    ['a bad phase filter', 'GET', '/v1/incidents?phase=panic', {}],
    ['a bad limit', 'GET', '/v1/incidents?limit=-1', {}],
    ['an unknown command', 'POST', '/v1/incidents/inc-19700101-00000000/commands', { body: JSON.stringify({ type: 'nuke', reason: 'no' }) }],
    ['a command for an unknown incident', 'POST', '/v1/incidents/inc-19700101-00000000/commands', { body: JSON.stringify({ type: 'advance', reason: 'no' }) }],
    ['a stream of an unknown incident', 'GET', '/v1/incidents/inc-19700101-00000000/events', {}],
    ['an unknown plan', 'GET', '/v1/plans/no-such-plan', {}],
    ['a bad plan version', 'GET', '/v1/plans/community-drill?version=zero', {}],
    ['an invalid plan version', 'POST', '/v1/plans/community-drill/versions', { body: JSON.stringify({ plan: { title: 'no' } }) }],
    ['a new plan without an id', 'POST', '/v1/plans', { body: JSON.stringify({ plan: { ...gatedPlan(), id: undefined } }) }],
    ['a new plan that exists', 'POST', '/v1/plans', { body: JSON.stringify({ plan: { ...gatedPlan(), id: 'community-drill' } }) }],
    ['a bad audit limit', 'GET', '/v1/audit?limit=100000', {}],
    ['readiness without an area', 'GET', '/v1/readiness', {}],
    ['readiness of two areas', 'GET', '/v1/readiness?community=c0001&district=d01', {}],
    ['an unknown route', 'GET', '/v1/nothing-here', {}],
  ];

  it.each(MISTAKES)('%s → 4xx with { error: { code, message } }', async (_what, method, path, init = {}) => {
    const answer = await raw(method, path, { token: commander(), ...init });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  });

  it('an oversized body is 413 and malformed JSON is 400 invalid_request', async () => {
    const big = await raw('POST', '/v1/incidents', { token: commander(), body: JSON.stringify({ title: 'x'.repeat(1_100_000) }) });
    expect([big.status, big.body.error?.code]).toEqual([413, 'invalid_request']);
    const bad = await raw('POST', '/v1/incidents', { token: commander(), body: '{"planId": ' });
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'invalid_request']);
  });
});

describe('rate limits on changes', () => {
  it('the 61st change in a minute from one caller is a structured 429 with Retry-After; other callers are unaffected', async () => {
    const token = tokenFor('operator', `rate-${Date.now()}`);
    await startOfAWindow(20_000);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await raw('POST', '/v1/incidents/inc-19700101-00000000/commands', { token, body: JSON.stringify({ type: 'advance', reason: 'rate' }) })).status);
    expect(new Set(statuses)).toEqual(new Set([404]));
    const limited = await raw('POST', '/v1/incidents/inc-19700101-00000000/commands', { token, body: JSON.stringify({ type: 'advance', reason: 'rate' }) });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toEqual(expect.objectContaining({ code: 'rate_limited', details: expect.objectContaining({ limit: 60, retryAfterSeconds: expect.any(Number) }) }));
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const reads = await raw('GET', '/v1/plans', { token });
    expect(reads.status).toBe(200);
    const other = await raw('POST', '/v1/incidents/inc-19700101-00000000/commands', { token: tokenFor('operator', `rate-other-${Date.now()}`), body: JSON.stringify({ type: 'advance', reason: 'rate' }) });
    expect(other.status).toBe(404);
  });

  it('every documented change counts against the same per-caller limit', async () => {
    const token = tokenFor('admin', `rate-all-${Date.now()}`);
    const limitedOps = Object.entries(openApi.paths).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op['x-rate-limited'])
        .map(([method]) => [method.toUpperCase(), p.replace(/\{id\}/g, 'inc-19700101-00000000')] as const),
    );
    expect(limitedOps.map(([method, p]) => `${method} ${p}`)).toEqual(expect.arrayContaining(['POST /v1/incidents', 'POST /v1/incidents/inc-19700101-00000000/report/proposals/accept']));
    await startOfAWindow(20_000);
    for (let i = 0; i < 60; i++) await raw('POST', '/v1/incidents/inc-19700101-00000000/commands', { token, body: JSON.stringify({ type: 'advance', reason: 'rate' }) });
    for (const [method, p] of limitedOps) expect([method, p, (await raw(method, p, { token, body: '{}' })).status]).toEqual([method, p, 429]);
  });
});

describe('readiness of an area', () => {
  it('asks supplies and personnel; each part is a report or a named problem, never a failed request', async () => {
    const answer = await http<{ areaId: string; supplies: unknown; personnel: unknown; problems: { service: string; code: string }[] }>('GET', '/v1/readiness?community=c0001&severity=II', 'auditor');
    expect(answer.status).toBe(200);
    expect(answer.body.areaId).toBe('c0001');
    for (const service of ['supplies', 'personnel'] as const) {
      const problem = answer.body.problems.find((p) => p.service === service);
      expect([service, answer.body[service] === null, Boolean(problem)]).toEqual([service, Boolean(problem), Boolean(problem)]);
    }
  });
});

describe('the AsyncAPI document matches the running NATS services', () => {
  it('lists exactly the endpoints the services announce on $SRV.INFO', async () => {
    const asyncApi = (await http<{ operations: Record<string, { action: string; title: string }> }>('GET', '/v1/asyncapi.json', null)).body;
    const documented = Object.entries(asyncApi.operations)
      .filter(([, op]) => op.action === 'send')
      .map(([subject]) => subject)
      .sort();
    const announced = await withNats(async (nc) => {
      const subjects = new Set<string>();
      const infos = await new Svcm(nc).client().info();
      for await (const info of infos) for (const ep of info.endpoints) subjects.add(ep.subject);
      return [...subjects].sort();
    });
    expect(announced).toEqual(documented);
  });
});
