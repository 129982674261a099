import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { AuditEntry } from '@lifeline/contracts/http/command-center';
import { buildCity, http, pollUntil, processArgs, sendCity, testStack, tokenFor, withMongo, withNats } from '@lifeline/testkit';
import { startTestIssuer, type TestIssuer } from '@lifeline/testkit/oidc';

/**
 * Production identity through the real stack: a command-center configured for an OIDC issuer this test serves itself
 * (discovery document and JWKS on loopback, an RSA key rotated mid-test), on the stack's store, NATS and Temporal,
 * production-shaped (no sandbox), so development tokens are refused there.
 */
jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../..');
const AUDIENCE = 'lifeline-api';
const ROLE_MAP = { 'lifeline-ops': 'operator', 'lifeline-chiefs': ['commander'], 'lifeline-audit': 'auditor' };
const COOLDOWN_MS = 1000;
const city = buildCity({ communities: 1, residents: 80, seed: 1803, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;
const drill = (title: string) => ({ planId: 'community-drill', severity: 'IV', area: { communityIds: [community.id] }, title, drill: true });

let issuer: TestIssuer;
let cc: ChildProcess | undefined;
let base: string;
let log = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
  issuer = await startTestIssuer();
  const stack = testStack();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  cc = spawn(process.execPath, processArgs('command-center'), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NATS_URL: stack.natsUrl,
      NATS_USER: stack.natsUser,
      NATS_PASSWORD: stack.natsPassword,
      MONGO_URL: stack.mongoUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.temporalNamespace,
      LIFELINE_TOKEN_SECRET: stack.tokenSecret,
      LIFELINE_PII_KEY: stack.piiKey,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      LIFELINE_OIDC_ISSUER: issuer.issuer,
      LIFELINE_OIDC_AUDIENCE: AUDIENCE,
      LIFELINE_OIDC_ROLES_CLAIM: 'realm_access.roles',
      LIFELINE_OIDC_ROLE_MAP: JSON.stringify(ROLE_MAP),
      LIFELINE_OIDC_JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => (log = (log + b.toString()).slice(-4000));
  cc.stdout!.on('data', keep);
  cc.stderr!.on('data', keep);
  await pollUntil(
    'the OIDC command-center answers /v1/health',
    async () => {
      if (cc?.exitCode !== null) throw new Error(`the OIDC command-center exited ${cc?.exitCode}: ${log}`);
      return fetch(`${base}/v1/health`).then((r) => r.status, () => 0);
    },
    { until: (status) => status === 200, timeoutMs: 120_000, everyMs: 500 },
  );
});

afterAll(async () => {
  if (cc && cc.exitCode === null) {
    cc.kill('SIGTERM');
    await once(cc, 'exit');
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
    const hs256 = await new SignJWT(claims('mallory', ['lifeline-ops'])).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(testStack().tokenSecret));
    const none = new UnsecuredJWT(claims('mallory', ['lifeline-ops'])).setExpirationTime('5m').encode();
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
