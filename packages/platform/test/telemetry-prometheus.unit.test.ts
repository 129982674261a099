import net from 'node:net';
import type { Server } from 'node:http';
import { parsePrometheus, scrapeMetrics } from '@lifeline/testkit';
import { createHttpApp, finishHttpApp, listen } from '../src/http';
import { createLogger } from '../src/logger';
import { metricsPort, pushesMetrics, startTelemetry, stopTelemetry } from '../src/telemetry';
import { temporalRuntimeMetrics } from '../src/telemetry-temporal';
import { observeOpenBroadcasts, recordBroadcastOutcomes, recordEvent, recordRequest, watchConsumerLag } from '../src/telemetry-metrics';

/**
 * The exporter wiring: startTelemetry installs the official OpenTelemetry Prometheus exporter, which answers on
 * `METRICS_PORT` (a process without HTTP) and at `/metrics` on every app from createHttpApp, with the documented
 * names (telemetry-metrics.ts) in Prometheus text.
 */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

let port = 0;
let app: Server | undefined;
const saved = { METRICS_PORT: process.env.METRICS_PORT, OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT };

beforeAll(async () => {
  port = await freePort();
  process.env.METRICS_PORT = String(port);
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  startTelemetry('lifeline-metrics-test');
  recordRequest('lifeline.supplies.reserve', 12, 'ok');
  recordRequest('lifeline.supplies.reserve', 40, 'insufficient_stock');
  recordRequest('lifeline.personnel.dispatch', 3, 'ok');
  const sms = { status: 'sent', channel: 'sms' };
  recordBroadcastOutcomes([sms, sms, { status: 'failed', channel: 'sms' }, { status: 'sent', channel: 'app-push' }], true);
  recordEvent('notification.broadcast-completed', { sent: 3, failed: 1, elapsedSeconds: 2, drill: true });
  watchConsumerLag('LIFELINE_WORK', 'broadcast-sender', async () => ({ pending: 7, ackPending: 2, redelivered: 1 }));
  watchConsumerLag('LIFELINE_EVENTS', 'deleted-durable', async () => {
    throw new Error('consumer not found');
  });
  watchConsumerLag('LIFELINE_EVENTS', 'unanswered', () => new Promise(() => undefined));
  const stop = watchConsumerLag('LIFELINE_EVENTS', 'stopped', async () => ({ pending: 1, ackPending: 1, redelivered: 1 }));
  stop();
  observeOpenBroadcasts(async () => 3);
});

afterAll(async () => {
  app?.close();
  await stopTelemetry();
  Object.assign(process.env, saved);
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
});

describe('the Prometheus endpoint', () => {
  it('answers on METRICS_PORT with the documented names: request count and latency per endpoint, broadcast progress, consumer lag', async () => {
    const started = Date.now();
    const m = await scrapeMetrics(`http://127.0.0.1:${port}/metrics`);
    // A durable whose info never comes holds a scrape at most 2 s; the others are reported meanwhile.
    expect(Date.now() - started).toBeLessThan(5_000);

    expect(m.types.get('lifeline_rpc_server_duration')).toBe('histogram');
    expect(m.find('lifeline_rpc_server_duration_count', { rpc_subject: 'lifeline.supplies.reserve', outcome: 'ok' })[0]?.value).toBe(1);
    expect(m.find('lifeline_rpc_server_duration_count', { rpc_subject: 'lifeline.personnel.dispatch' })[0]?.value).toBe(1);
    expect(m.find('lifeline_rpc_server_duration_sum', { rpc_subject: 'lifeline.supplies.reserve', outcome: 'insufficient_stock' })[0]?.value).toBe(40);
    expect(m.find('lifeline_rpc_server_duration_bucket', { rpc_subject: 'lifeline.supplies.reserve', outcome: 'ok', le: '25' })[0]?.value).toBe(1);
    expect(m.find('lifeline_supplies_reservation_duration_count').map((s) => s.value).reduce((a, b) => a + b, 0)).toBe(2);

    // Counted per page as sent (not again when the job completes), by outcome and channel.
    expect(m.types.get('lifeline_broadcast_messages_total')).toBe('counter');
    expect(m.find('lifeline_broadcast_messages_total', { outcome: 'sent', channel: 'sms', drill: 'true' })[0]?.value).toBe(2);
    expect(m.find('lifeline_broadcast_messages_total', { outcome: 'failed', channel: 'sms' })[0]?.value).toBe(1);
    expect(m.find('lifeline_broadcast_messages_total', { channel: 'app-push' })[0]?.value).toBe(1);
    expect(m.find('lifeline_broadcast_rate_count', { drill: 'true' })[0]?.value).toBe(1);
    expect(m.find('lifeline_broadcast_jobs_open')[0]?.value).toBe(3);

    const lag = (name: string) => m.find(name, { stream: 'LIFELINE_WORK', consumer: 'broadcast-sender' }).map((s) => s.value);
    expect([lag('lifeline_jetstream_consumer_pending'), lag('lifeline_jetstream_consumer_ack_pending'), lag('lifeline_jetstream_consumer_redelivered')]).toEqual([[7], [2], [1]]);
    // A durable whose info fails, never answers or was stopped reports nothing rather than a wrong zero.
    expect(m.find('lifeline_jetstream_consumer_pending').map((s) => s.labels.consumer)).toEqual(['broadcast-sender']);

    expect(m.find('target_info', { service_name: 'lifeline-metrics-test', service_namespace: 'lifeline' })).toHaveLength(1);
  });

  it('is mounted at /metrics on every HTTP app, ahead of the routes and whatever guards them; the other requests are timed by route', async () => {
    const http = createHttpApp();
    http.get('/v1/things/:id', (_req, res) => {
      res.json({ ok: true });
    });
    http.use((_req, res) => {
      res.status(401).json({ error: { code: 'unauthorized', message: 'token required' } });
    });
    finishHttpApp(http, createLogger('metrics-test', 'silent'));
    app = await listen(http, 0);
    const base = `http://127.0.0.1:${(app.address() as net.AddressInfo).port}`;
    expect((await fetch(`${base}/v1/things/t-1`)).status).toBe(200);
    expect((await fetch(`${base}/v1/things/t-2`)).status).toBe(200);
    expect((await fetch(`${base}/v1/anything`)).status).toBe(401);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const m = parsePrometheus(await res.text());
    expect(m.find('lifeline_rpc_server_duration_count', { rpc_subject: 'lifeline.personnel.dispatch' })[0]?.value).toBe(1);
    const http200 = m.find('lifeline_http_server_duration_count', { http_request_method: 'GET', http_route: '/v1/things/:id', http_response_status_code: '200' });
    expect(http200.map((s) => s.value)).toEqual([2]);
    // Ids never become labels; a scrape is not counted.
    expect(m.find('lifeline_http_server_duration_count', { http_route: 'unmatched', http_response_status_code: '401' }).map((s) => s.value)).toEqual([1]);
    expect(m.find('lifeline_http_server_duration_count').map((s) => s.labels.http_route).sort()).toEqual(['/v1/things/:id', 'unmatched']);
  });
});

describe('metrics settings', () => {
  it('reads METRICS_PORT, refusing a value that is not a port', () => {
    expect(metricsPort({})).toBeUndefined();
    expect(metricsPort({ METRICS_PORT: '9464' })).toBe(9464);
    expect(() => metricsPort({ METRICS_PORT: 'nine' })).toThrow(/METRICS_PORT/);
    expect(() => metricsPort({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });

  it('pushes metrics over OTLP only with an endpoint, and not when OTEL_METRICS_EXPORTER leaves otlp out', () => {
    expect(pushesMetrics({})).toBe(false);
    expect(pushesMetrics({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(pushesMetrics({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_METRICS_EXPORTER: 'prometheus' })).toBe(false);
    expect(pushesMetrics({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_METRICS_EXPORTER: 'prometheus, otlp' })).toBe(true);
  });

  it("hands METRICS_PORT to Temporal's runtime for the worker, on the process's HTTP_HOST", () => {
    expect(temporalRuntimeMetrics({})).toEqual({});
    expect(temporalRuntimeMetrics({ METRICS_PORT: '8085' })).toEqual({ telemetryOptions: { metrics: { prometheus: { bindAddress: '127.0.0.1:8085' } } } });
    expect(temporalRuntimeMetrics({ METRICS_PORT: '9464', HTTP_HOST: '0.0.0.0' }).telemetryOptions?.metrics.prometheus.bindAddress).toBe('0.0.0.0:9464');
  });
});
