import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { AuditEntry, AuditVerifyAnswer } from '@lifeline/contracts/http/command-center';
import { freePort, env, http, pollUntil, testStack, tokenFor } from '@lifeline/testkit';
import { startOfAWindow } from './support/rate-window';

/**
 * Two command-center replicas on one store: a second process, started by this test with the stack's environment,
 * shares the stack's own limit on changes (one caller's changes spread over both are refused together once they pass
 * the limit, 60 a minute by default on both) and appends to the same audit hash chain without forking it.
 */
jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../..');
const LIMIT = 60;

let second: ChildProcess | undefined;
let secondUrl: string;
let secondLog = '';

beforeAll(async () => {
  const stack = testStack();
  const port = await freePort();
  secondUrl = `http://127.0.0.1:${port}`;
  second = spawn(process.execPath, ['--import', 'tsx', 'services/command-center/src/main.ts'], {
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  second.stdout!.on('data', (b: Buffer) => (secondLog = (secondLog + b.toString()).slice(-4000)));
  second.stderr!.on('data', (b: Buffer) => (secondLog = (secondLog + b.toString()).slice(-4000)));
  await pollUntil(
    'the second command-center answers /v1/health',
    async () => {
      if (second?.exitCode !== null) throw new Error(`the second command-center exited ${second?.exitCode}: ${secondLog}`);
      return fetch(`${secondUrl}/v1/health`).then((r) => r.status, () => 0);
    },
    { until: (status) => status === 200, timeoutMs: 120_000, everyMs: 500 },
  );
});

afterAll(async () => {
  if (!second || second.exitCode !== null) return;
  second.kill('SIGTERM');
  await once(second, 'exit');
});

/** A command for an incident that does not exist: counted as a change, then 404 (nothing is written). */
async function change(base: string, token: string) {
  const res = await fetch(`${base}/v1/incidents/inc-19700101-00000000/commands`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'advance', reason: 'shared limit' }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: { code: string; message: string; details?: Record<string, unknown> } } };
}

describe('the limit on changes across two command-center processes', () => {
  it(`${LIMIT} changes split over both use up one caller's minute; the next is a structured 429 with Retry-After on either`, async () => {
    const token = tokenFor('operator', `shared-rate-${Date.now()}`);
    await startOfAWindow(30_000);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await change(i % 2 === 0 ? env.http : secondUrl, token)).status);
    expect(new Set(statuses)).toEqual(new Set([404]));

    for (const base of [env.http, secondUrl]) {
      const refused = await change(base, token);
      expect([base, refused.status]).toEqual([base, 429]);
      expect(refused.body.error).toEqual({
        code: 'rate_limited',
        message: expect.stringContaining(`more than ${LIMIT} changes per minute`),
        details: { limit: LIMIT, windowSeconds: 60, retryAfterSeconds: expect.any(Number) },
      });
      const retryAfter = Number(refused.retryAfter);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // Another caller on either replica is unaffected.
    expect((await change(secondUrl, tokenFor('operator', `shared-rate-other-${Date.now()}`))).status).toBe(404);
  });
});

describe('the audit chain with two writers', () => {
  it('entries appended at once through both processes take one seq each, and the chain verifies', async () => {
    const target = `two-writers-${Date.now()}`;
    const token = tokenFor('auditor', 'auditor-two-writers');
    const read = (base: string) => fetch(`${base}/v1/audit?target=${target}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    // Each read is audited under `target`: 20 at once on each process race for the same next seqs.
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => read(i % 2 === 0 ? env.http : secondUrl)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    const entries = (await http<{ entries: AuditEntry[] }>('GET', `/v1/audit?target=${target}&limit=100`, 'auditor')).body.entries;
    expect(entries).toHaveLength(40);
    const seqs = entries.map((e) => e.seq!).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(40);
    const verified = (await http<AuditVerifyAnswer>('GET', '/v1/audit/verify', 'admin')).body;
    expect([verified.ok, verified.broken]).toEqual([true, null]);
  });
});
