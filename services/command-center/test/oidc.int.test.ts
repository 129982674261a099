import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import type { AuditEntry } from '@lifeline/contracts/http/command-center';
import { freePort, buildCity, http, pollUntil, processArgs, sendCity, testStack, tokenFor, withMongo, withNats } from '@lifeline/testkit';
import { startTestIssuer, type TestIssuer } from '@lifeline/testkit/oidc';

/**
 * Production identity through the real stack: a command-center configured for an OIDC issuer this test serves itself
 * (discovery document and JWKS on loopback, an RSA key rotated mid-test), on the stack's store, NATS and Temporal,
 * production-shaped (no sandbox), so development tokens are refused there; and a codec server with the same settings,
 * which takes the same tokens through the same verifier.
 */
jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../..');
const AUDIENCE = 'lifeline-api';
const ROLE_MAP = { 'lifeline-ops': 'operator', 'lifeline-chiefs': ['commander'], 'lifeline-audit': 'auditor', 'lifeline-admins': 'admin' };
const COOLDOWN_MS = 1000;
const city = buildCity({ communities: 1, residents: 80, seed: 1803, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;
const drill = (title: string) => ({ planId: 'community-drill', severity: 'IV', area: { communityIds: [community.id] }, title, drill: true });

let issuer: TestIssuer;
const processes: ChildProcess[] = [];
let base: string;
let codecBase: string;

/** Start one of the stack's processes from its bundle with `env` and wait until `health` answers 200. */
async function startProcess(name: string, env: Record<string, string | undefined>, health: string): Promise<void> {
  let log = '';
  const child = spawn(process.execPath, processArgs(name), { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(child);
  const keep = (b: Buffer) => (log = (log + b.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  await pollUntil(
    `the OIDC ${name} answers ${health}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`the OIDC ${name} exited ${child.exitCode}: ${log}`);
      return fetch(health).then((r) => r.status, () => 0);
    },
    { until: (status) => status === 200, timeoutMs: 120_000, everyMs: 500 },
  );
}

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
  issuer = await startTestIssuer();
  const stack = testStack();
  const identity = {
    LIFELINE_TOKEN_SECRET: stack.tokenSecret,
    LIFELINE_PII_KEY: stack.piiKey,
    LOG_LEVEL: 'warn',
    LIFELINE_OIDC_ISSUER: issuer.issuer,
    LIFELINE_OIDC_AUDIENCE: AUDIENCE,
    LIFELINE_OIDC_ROLES_CLAIM: 'realm_access.roles',
    LIFELINE_OIDC_ROLE_MAP: JSON.stringify(ROLE_MAP),
    LIFELINE_OIDC_JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
  };
  const [port, codecPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  codecBase = `http://127.0.0.1:${codecPort}`;
  await startProcess(
    'command-center',
    {
      ...identity,
      NATS_URL: stack.natsUrl,
      NATS_USER: stack.natsUser,
      NATS_PASSWORD: stack.natsPassword,
      MONGO_URL: stack.mongoUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.temporalNamespace,
      HTTP_PORT: String(port),
    },
    `${base}/v1/health`,
  );
  await startProcess('codec-server', { ...identity, CODEC_PORT: String(codecPort), CODEC_ACCESS: 'token' }, `${codecBase}/healthz`);
});

afterAll(async () => {
  for (const child of processes.filter((c) => c.exitCode === null)) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await issuer?.close();
});

const claims = (sub: string, roles: string[], extra: Record<string, unknown> = {}) => ({ sub, aud: AUDIENCE, iss: issuer.issuer, realm_access: { roles }, ...extra });

async function call(method: string, route: string, token: string | undefined, body?: unknown) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json', 'idempotency-key': `oidc-${randomUUID()}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as { incidentId?: string; error?: { code: string; message: string; details?: { reason?: string } } } };
}

/** What a refused start could have changed: the incident index and the audit log. */
const written = () =>
  withMongo(async (client) => {
    const db = client.db('lifeline_command_center');
    return { incidents: await db.collection('incidents').countDocuments(), audit: await db.collection('audit').countDocuments() };
  });

describe('OIDC access tokens at the command-center', () => {
  let incidentId: string;

  it('a token whose role claim maps to operator starts a drill and reads it; the audit log names issuer and subject', async () => {
    const token = await issuer.sign(claims('alice', ['lifeline-ops', 'cafeteria']));
    const started = await call('POST', '/v1/incidents', token, drill('OIDC drill'));
    expect(started.status).toBe(202);
    incidentId = started.body.incidentId!;
    const read = await call('GET', `/v1/incidents/${incidentId}`, token);
    expect(read.status).toBe(200);
    expect((await call('GET', '/v1/incidents?limit=5', token)).status).toBe(200);

    const audit = await http<{ entries: AuditEntry[] }>('GET', `/v1/audit?target=${incidentId}`, 'auditor');
    const entry = audit.body.entries.find((e) => e.action === 'incident.start');
    expect(entry).toMatchObject({ subject: `${issuer.issuer}#alice`, role: 'operator' });
  });

  it('expired, wrong-audience, wrong-issuer, unknown-key, alg-none, HS256 and tampered tokens get 401 with the reason and change nothing', async () => {
    const before = await written();
    const valid = await issuer.sign(claims('mallory', ['lifeline-ops']));
    const [header, , signature] = valid.split('.');
    const tampered = [header, Buffer.from(JSON.stringify({ ...claims('mallory', ['lifeline-chiefs']), exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url'), signature].join('.');
    const hs256 = await issuer.forge(claims('mallory', ['lifeline-ops']), { alg: 'HS256', secret: testStack().tokenSecret });
    const none = await issuer.forge(claims('mallory', ['lifeline-ops']), { alg: 'none' });
    const cases: [string, string, string][] = [
      ['expired', await issuer.sign(claims('mallory', ['lifeline-ops']), { expiresIn: Math.floor(Date.now() / 1000) - 120 }), 'expired'],
      ['wrong audience', await issuer.sign(claims('mallory', ['lifeline-ops'], { aud: 'another-api' })), 'wrong_audience'],
      ['wrong issuer', await issuer.sign(claims('mallory', ['lifeline-ops'], { iss: 'https://idp.elsewhere.example' })), 'wrong_issuer'],
      ['unknown key', await issuer.sign(claims('mallory', ['lifeline-ops']), { key: 'unpublished' }), 'unknown_key'],
      ['alg none', none, 'algorithm_not_allowed'],
      ['HS256 with the stack secret', hs256, 'algorithm_not_allowed'],
      ['tampered payload', tampered, 'bad_signature'],
      ['development token', tokenFor('admin'), 'development_tokens_refused'],
      ['not a JWT', 'not-a-token', 'malformed_token'],
    ];
    for (const [what, token, reason] of cases) {
      const answer = await call('POST', '/v1/incidents', token, drill(`refused ${what}`));
      expect([what, answer.status, answer.body.error?.code, answer.body.error?.details?.reason]).toEqual([what, 401, 'unauthorized', reason]);
      expect(answer.body.error?.message).not.toContain('mallory');
    }
    expect(await written()).toEqual(before);
  });

  it('a valid token whose roles map to nothing gets 403 and changes nothing', async () => {
    const before = await written();
    const token = await issuer.sign(claims('bob', ['cafeteria']));
    const answer = await call('POST', '/v1/incidents', token, drill('no role'));
    expect([answer.status, answer.body.error?.code, answer.body.error?.details?.reason]).toEqual([403, 'forbidden', 'no_mapped_role']);
    expect((await call('GET', `/v1/incidents/${incidentId}`, token)).status).toBe(403);
    expect(await written()).toEqual(before);
  });

  it('after the issuer rotates its key, a token signed by the new key works and one by the retired key is refused', async () => {
    await issuer.rotate();
    await new Promise((r) => setTimeout(r, COOLDOWN_MS + 200));
    const fetches = issuer.jwksFetches();
    const fresh = await issuer.sign(claims('carol', ['lifeline-chiefs', 'lifeline-audit']));
    const read = await call('GET', `/v1/incidents/${incidentId}`, fresh);
    expect(read.status).toBe(200);
    expect(issuer.jwksFetches()).toBe(fetches + 1);
    const stale = await issuer.sign(claims('carol', ['lifeline-ops']), { key: 'retired' });
    expect((await call('GET', `/v1/incidents/${incidentId}`, stale)).body.error?.details?.reason).toBe('unknown_key');
    // Commander and auditor both: the audit log is readable too.
    expect((await call('GET', `/v1/audit?target=${incidentId}`, fresh)).status).toBe(200);
  });
});

describe('OIDC access tokens at the codec server (the same verifier)', () => {
  const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify('a resident named Wang')).toString('base64') };
  const codec = async (op: 'encode' | 'decode', token: string, payloads: unknown[]) => {
    const res = await fetch(`${codecBase}/codec/${op}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ payloads }) });
    return { status: res.status, body: (await res.json()) as { payloads?: { metadata?: Record<string, string>; data?: string }[]; error?: { code: string; details?: { reason?: string } } } };
  };

  it('an administrator-mapped token encodes and decodes; operator-mapped, expired and development tokens are refused', async () => {
    const admin = await issuer.sign(claims('dana', ['lifeline-admins']));
    const encoded = await codec('encode', admin, [plain]);
    expect(encoded.status).toBe(200);
    expect(encoded.body.payloads![0]!.data).not.toBe(plain.data);
    const decoded = await codec('decode', admin, encoded.body.payloads!);
    expect([decoded.status, decoded.body.payloads![0]!.data]).toEqual([200, plain.data]);

    const operator = await codec('decode', await issuer.sign(claims('erin', ['lifeline-ops'])), encoded.body.payloads!);
    expect([operator.status, operator.body.error?.code]).toEqual([403, 'forbidden']);
    const expired = await codec('decode', await issuer.sign(claims('dana', ['lifeline-admins']), { expiresIn: Math.floor(Date.now() / 1000) - 120 }), encoded.body.payloads!);
    expect([expired.status, expired.body.error?.details?.reason]).toEqual([401, 'expired']);
    const dev = await codec('decode', tokenFor('admin'), encoded.body.payloads!);
    expect([dev.status, dev.body.error?.details?.reason]).toEqual([401, 'development_tokens_refused']);
  });
});
