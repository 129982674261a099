import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { APPS, REPO_ROOT, appComponents, ensureSearchAttributes, ensureTools, generateSecrets, isPortOpen, renderNatsConfig, startComponent, stopStarted, type ComponentOutcome, type StackEndpoints } from '@lifeline/local-stack';
import { connectNats, ensureStreams, type NatsConnection } from '@lifeline/platform';
import { buildCity, pollUntil, sendCity, tokenFor } from '@lifeline/testkit';

/**
 * One trace from the operator's HTTP request down to the store: the real entry points (command-center, worker,
 * bridge, the four services — each `main.ts` starting telemetry first) run as processes exporting OTLP to an
 * in-memory receiver in this test. So that no request reaches the shared stack's copies of the services, they
 * talk over a private NATS server and a private Temporal namespace (same Temporal, same store).
 * Asserts parent/child shape, never timings.
 */
jest.setTimeout(400_000);

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
}

/** OTLP/HTTP JSON receiver: every span any process exports, kept in memory. */
function otlpReceiver() {
  const spans: Span[] = [];
  const hex = (v: string | undefined) => (!v ? undefined : /^[0-9a-f]+$/i.test(v) ? v.toLowerCase() : Buffer.from(v, 'base64').toString('hex'));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && (req.headers['content-type'] ?? '').includes('json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[] };
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({ traceId: hex(s.traceId as string)!, spanId: hex(s.spanId as string)!, parentSpanId: hex(s.parentSpanId as string | undefined) || undefined, name: s.name as string, kind: s.kind as number, service });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { spans, server };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const NAMESPACE = 'lifeline-trace';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-trace-'));
const receiver = otlpReceiver();
const outcomes: ComponentOutcome[] = [];
let adminConnection: NatsConnection | undefined;
const log = (line: string) => process.stderr.write(`[trace] ${line}\n`);
let httpUrl = '';
let incidentId = '';
const city = buildCity({ communities: 1, residents: 60, seed: 4711, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;

async function ensureNamespace(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    // (protobufjs takes a plain number where the type says Long.)
    await connection.workflowService.registerNamespace({ namespace: NAMESPACE, workflowExecutionRetentionPeriod: { seconds: 86_400 as never } }).catch((err: Error) => {
      if (!/already/i.test(err.message)) throw err;
    });
  } finally {
    await connection.close();
  }
  for (let i = 0; ; i++) {
    try {
      await ensureSearchAttributes(address, NAMESPACE);
      return;
    } catch (err) {
      if (i > 30) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

beforeAll(async () => {
  const otlpPort = await freePort();
  await new Promise<void>((resolve) => receiver.server.listen(otlpPort, '127.0.0.1', resolve));

  // A private NATS (same users and permissions as the stack's, fresh passwords).
  const tools = await ensureTools();
  const [natsPort, natsMonitorPort] = [await freePort(), await freePort()];
  const secrets = { ...generateSecrets(), tokenSecret: process.env.LIFELINE_TOKEN_SECRET!, piiKey: process.env.LIFELINE_PII_KEY! };
  const confFile = path.join(dataDir, 'nats.conf');
  fs.writeFileSync(confFile, renderNatsConfig({ port: natsPort, monitorPort: natsMonitorPort, storeDir: path.join(dataDir, 'jetstream'), passwords: secrets.nats }));
  outcomes.push(
    await startComponent(dataDir, { name: 'trace-nats', kind: 'infra', spec: { name: 'trace-nats', command: tools.natsServer, args: ['-c', confFile], cwd: dataDir, env: {}, port: natsPort }, ready: () => isPortOpen(natsPort), reuseExternal: false }, log),
  );
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const admin = await connectNats({ NATS_URL: natsUrl, NATS_USER: 'admin', NATS_PASSWORD: secrets.nats.admin }, 'trace-test');
  // Closed in afterAll too: a setup that fails half-way must not leave the connection holding jest open.
  adminConnection = admin;
  await ensureStreams(admin);

  const temporalAddress = process.env.TEMPORAL_ADDRESS!;
  await ensureNamespace(temporalAddress);

  // The Lifeline processes, on ports above the shared stack's (HTTP_PORT+20..+24: +5..+9 took the codec server's 8089).
  const httpBase = Number(new URL(process.env.LIFELINE_HTTP_URL!).port) + 20;
  httpUrl = `http://127.0.0.1:${httpBase}`;
  const endpoints: StackEndpoints = {
    natsUrl,
    natsMonitorUrl: `http://127.0.0.1:${natsMonitorPort}`,
    temporalAddress,
    temporalNamespace: NAMESPACE,
    temporalUiUrl: 'http://127.0.0.1:8233',
    codecUrl: process.env.LIFELINE_CODEC_URL!,
    mongoUrl: process.env.MONGO_URL!,
    httpUrl,
    secrets,
  };
  const config = { repoRoot: REPO_ROOT, dataDir, ports: { nats: natsPort, natsMonitor: natsMonitorPort, temporal: 0, temporalUi: 0, mongo: 0, http: httpBase, codec: 0, jaeger: 0, otlp: 0 }, tracing: false, logLevel: 'warn' };
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`, OTEL_BSP_SCHEDULE_DELAY: '200' };
  // Named trace-<app> (pidfiles, logs) so nothing is confused with the shared stack's processes.
  const orchestrators = ['worker', 'bridge', 'command-center'];
  const apps = appComponents(config, endpoints, APPS).map((c) => ({ ...c, app: c.name, name: `trace-${c.name}`, reuseExternal: false, spec: { ...c.spec, name: `trace-${c.name}`, env: { ...c.spec.env, ...otel } } }));
  const started = await Promise.allSettled(apps.filter((a) => !orchestrators.includes(a.app)).map((c) => startComponent(dataDir, c, log)));
  for (const result of started) if (result.status === 'fulfilled') outcomes.push(result.value);
  for (const result of started) if (result.status === 'rejected') throw result.reason;
  for (const c of apps.filter((a) => orchestrators.includes(a.app))) outcomes.push(await startComponent(dataDir, c, log));

  await sendCity(admin, city);
  await admin.drain();
}, 400_000);

afterAll(async () => {
  await adminConnection?.close().catch(() => undefined);
  await stopStarted(dataDir, outcomes, log);
  await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
});

describe('one trace from HTTP to the store', () => {
  it('runs a drill incident to closed on the private topology', async () => {
    const res = await fetch(`${httpUrl}/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenFor('operator')}`, 'content-type': 'application/json', 'idempotency-key': `trace-${randomUUID()}` },
      body: JSON.stringify({ planId: 'community-drill', severity: 'IV', area: { communityIds: [community.id] }, title: 'Trace drill', drill: true }),
    });
    expect(res.status).toBe(202);
    incidentId = ((await res.json()) as { incidentId: string }).incidentId;
    const phaseNow = async () => {
      const view = await fetch(`${httpUrl}/v1/incidents/${incidentId}`, { headers: { authorization: `Bearer ${tokenFor('auditor')}` } });
      return view.ok ? ((await view.json()) as { phase: string }).phase : `HTTP ${view.status}`;
    };
    expect(await pollUntil(`incident ${incidentId} closes`, phaseNow, { timeoutMs: 240_000, everyMs: 1000, until: (phase) => phase === 'closed' })).toBe('closed');
    // Let batch span processors flush, then stop the processes (their shutdown flushes the rest).
    await new Promise((r) => setTimeout(r, 2000));
    await stopStarted(dataDir, outcomes.splice(1), log);
  });

  it('has the shape HTTP → workflow → activity → NATS → service handler → store, in one trace', () => {
    const spans = receiver.spans;
    // Kept for a reader who wants the whole tree (one JSON line per span).
    fs.writeFileSync(path.join(dataDir, 'spans.jsonl'), spans.map((s) => JSON.stringify(s)).join('\n'));
    log(`${spans.length} spans in ${path.join(dataDir, 'spans.jsonl')}`);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: Span) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const ancestors = (s: Span) => {
      const out: Span[] = [];
      for (let p = parentOf(s); p; p = parentOf(p)) out.push(p);
      return out;
    };
    const chain = (s: Span) => [s, ...ancestors(s)].reverse().map((x) => `${x.service}:${x.name}`);

    const root = spans.find((s) => s.service === 'lifeline-command-center' && s.name === 'POST /v1/incidents');
    expect(root).toBeDefined();
    expect(root!.parentSpanId).toBeUndefined();
    const trace = spans.filter((s) => s.traceId === root!.traceId);
    const inTrace = (pred: (s: Span) => boolean) => trace.filter(pred);

    // Temporal client → workflow (through the sandbox's sink) → activity, all descendants of the HTTP span.
    const start = inTrace((s) => s.name === 'StartWorkflow:incidentWorkflow')[0]!;
    expect(parentOf(start)).toBe(root);
    const run = inTrace((s) => s.name === 'RunWorkflow:incidentWorkflow')[0]!;
    expect(ancestors(run)).toContain(start);

    // resolveArea: RunActivity → call (NATS request, context in headers) → serve in personnel → store calls.
    const serve = inTrace((s) => s.service === 'lifeline-personnel' && s.name === 'serve lifeline.personnel.resolve-area')[0]!;
    expect(serve).toBeDefined();
    const call = parentOf(serve)!;
    expect([call.service, call.name]).toEqual(['lifeline-worker', 'call lifeline.personnel.resolve-area']);
    expect(ancestors(serve).map((s) => s.name)).toEqual(expect.arrayContaining(['RunActivity:resolveArea', 'StartActivity:resolveArea', 'RunWorkflow:incidentWorkflow', 'POST /v1/incidents']));
    const store = inTrace((s) => s.parentSpanId === serve.spanId && s.name.startsWith('mongo '));
    expect(store.length).toBeGreaterThan(0);
    expect(store.every((s) => s.service === 'lifeline-personnel')).toBe(true);

    // The district child workflow and another service (supplies) in the same trace, down to its store calls: the
    // district reserves for its communities itself (patch district-steps).
    const reserve = inTrace((s) => s.name === 'serve lifeline.supplies.reserve')[0]!;
    const district = ancestors(reserve).find((s) => s.name === 'RunWorkflow:districtPhaseWorkflow')!;
    expect(district).toBeDefined();
    expect(ancestors(district)).toContain(run);
    expect(parentOf(reserve)!.name).toBe('call lifeline.supplies.reserve');
    expect(inTrace((s) => s.parentSpanId === reserve.spanId && s.name.startsWith('mongo ')).length).toBeGreaterThan(0);
    // The community child workflow under its district: it dispatches the grid worker (one community run per phase
    // with steps that wait on the community).
    const dispatch = inTrace((s) => s.name === 'serve lifeline.personnel.dispatch')[0]!;
    const community = ancestors(dispatch).find((s) => s.name === 'RunWorkflow:communityPhaseWorkflow')!;
    expect(community).toBeDefined();
    expect(ancestors(community).map((s) => s.name)).toContain('RunWorkflow:districtPhaseWorkflow');
    expect(ancestors(community)).toContain(run);
    expect(parentOf(dispatch)!.name).toBe('call lifeline.personnel.dispatch');

    // JetStream messages carry the context too: broadcast batches are sent under the request that queued them, and
    // a domain event is consumed by another service inside the trace of the command that published it.
    const batch = inTrace((s) => s.service === 'lifeline-notification' && s.name.startsWith('send batch'))[0];
    expect(batch && chain(batch)).toEqual(expect.arrayContaining(['lifeline-notification:serve lifeline.notification.broadcast', 'lifeline-worker:RunActivity:broadcast']));
    const consumed = inTrace((s) => s.name.startsWith('consume lifeline.evt.') && ancestors(s).some((a) => a.service !== s.service && a.name.startsWith('serve ')));
    expect(consumed.length).toBeGreaterThan(0);

    // Every process of the topology took part in this one trace.
    expect([...new Set(trace.map((s) => s.service))]).toEqual(
      expect.arrayContaining(['lifeline-command-center', 'lifeline-worker', 'lifeline-personnel', 'lifeline-supplies', 'lifeline-notification']),
    );
  });
});
