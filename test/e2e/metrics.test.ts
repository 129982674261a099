import { randomBytes } from 'node:crypto';
import { personnelEvents, STREAMS } from '@lifeline/contracts';
import { decodeJson, encodeJson, EventPublisher, type NatsConnection } from '@lifeline/platform';
import { metricsUrls } from '@lifeline/local-stack';
import { buildCity, pollUntil, scrapeMetrics, sendCity, withNats, type PromScrape } from '@lifeline/testkit';
import { runCommunityDrill } from './support';

/**
 * Every Lifeline process answers `GET /metrics` with Prometheus text (README, "Metrics"). After one drill through
 * the real stack each one names its documented metrics with samples the drill made: requests per NATS endpoint,
 * broadcast progress, dispatch acknowledgement times, HTTP requests, Temporal worker slots. The JetStream lag
 * gauges are proven against a real backlog: the bridge's durable is paused, events pile up, the bridge's gauge
 * shows them and JetStream agrees, and after the resume the gauge drains to zero.
 */
jest.setTimeout(300_000);

const city = buildCity({ communities: 1, residents: 120, seed: 1604, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;
const port = (url: string) => Number(new URL(url).port);
const urls = metricsUrls(port(process.env.LIFELINE_HTTP_URL ?? 'http://127.0.0.1:8080'), port(process.env.LIFELINE_CODEC_URL ?? 'http://127.0.0.1:8089/codec'));
const scraped: Record<string, PromScrape> = {};

/** The sum of a metric's samples with these labels (histograms: pass the `_count` name). */
const total = (m: PromScrape, name: string, labels: Record<string, string> = {}) => m.find(name, labels).reduce((sum, s) => sum + s.value, 0);
const consumersIn = (m: PromScrape) => m.find('lifeline_jetstream_consumer_pending').map((s) => s.labels.consumer).sort();

/** JetStream's own API (what the `nats` CLI calls): the durable's info, and pausing it (NATS 2.11+). */
const BRIDGE = `${STREAMS.events.name}.workflow-bridge`;
const jsApi = async <T>(nc: NatsConnection, verb: string, body: unknown = {}) => decodeJson((await nc.request(`$JS.API.CONSUMER.${verb}.${BRIDGE}`, encodeJson(body))).data) as T;

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
  await runCommunityDrill(community.id, 'Metrics drill');
  // The codec server has no NATS work: one request of its own to count.
  expect((await fetch(urls['codec-server']!.replace('/metrics', '/healthz'))).status).toBe(200);
  for (const [name, url] of Object.entries(urls)) scraped[name] = await scrapeMetrics(url);
}, 300_000);

describe('each process’s /metrics after a drill', () => {
  it('is there for every Lifeline process, in Prometheus text', () => {
    expect(Object.keys(scraped).sort()).toEqual(['bridge', 'codec-server', 'command-center', 'incentives', 'notification', 'personnel', 'supplies', 'worker']);
    for (const [name, m] of Object.entries(scraped)) expect([name, m.samples.length > 0]).toEqual([name, true]);
  });

  it('counts and times the NATS endpoints each service answered during the drill', () => {
    const rpc = (service: string, verb: string) => total(scraped[service]!, 'lifeline_rpc_server_duration_count', { rpc_subject: `lifeline.${service}.${verb}` });
    expect(scraped.supplies!.types.get('lifeline_rpc_server_duration')).toBe('histogram');
    expect(rpc('supplies', 'reserve')).toBeGreaterThan(0);
    expect(total(scraped.supplies!, 'lifeline_supplies_reservation_duration_count')).toBeGreaterThan(0);
    expect(rpc('personnel', 'dispatch')).toBeGreaterThan(0);
    expect(rpc('notification', 'broadcast')).toBeGreaterThan(0);
    expect(total(scraped.incentives!, 'lifeline_rpc_server_duration_count')).toBeGreaterThan(0);
    expect(total(scraped.supplies!, 'lifeline_rpc_server_duration_sum')).toBeGreaterThan(0);
  });

  it('shows broadcast progress: messages sent by channel as the pages went out, and the open jobs', () => {
    const n = scraped.notification!;
    expect(total(n, 'lifeline_broadcast_messages_total', { outcome: 'sent', drill: 'true' })).toBeGreaterThan(0);
    expect(n.find('lifeline_broadcast_messages_total')[0]?.labels.channel).toBeTruthy();
    expect(total(n, 'lifeline_broadcast_rate_count')).toBeGreaterThan(0);
    expect(n.find('lifeline_broadcast_jobs_open')).toHaveLength(1);
  });

  it('times acknowledgements of dispatched tasks (drill responders) and reports running incidents per phase', () => {
    expect(total(scraped.personnel!, 'lifeline_dispatch_ack_time_count')).toBeGreaterThan(0);
    expect(scraped['command-center']!.find('lifeline_incidents').map((s) => s.labels.phase).sort()).toEqual(['mobilize', 'recover', 'respond', 'review', 'warn']);
  });

  it('times HTTP requests by route, never by raw path', () => {
    const cc = scraped['command-center']!;
    expect(total(cc, 'lifeline_http_server_duration_count', { http_request_method: 'POST', http_route: '/v1/incidents', http_response_status_code: '202' })).toBeGreaterThan(0);
    expect(total(cc, 'lifeline_http_server_duration_count', { http_request_method: 'GET', http_route: '/v1/incidents/:id' })).toBeGreaterThan(0);
    expect(cc.find('lifeline_http_server_duration_count').some((s) => /inc-/.test(s.labels.http_route ?? ''))).toBe(false);
    expect(total(scraped['codec-server']!, 'lifeline_http_server_duration_count', { http_route: '/healthz' })).toBeGreaterThan(0);
  });

  it("exposes the worker's Temporal slots from the SDK's own runtime", () => {
    const w = scraped.worker!;
    for (const type of ['WorkflowWorker', 'ActivityWorker', 'LocalActivityWorker']) expect([type, total(w, 'temporal_worker_task_slots_available', { worker_type: type })]).toEqual([type, expect.any(Number)]);
    expect(total(w, 'temporal_worker_task_slots_available', { worker_type: 'ActivityWorker' })).toBeGreaterThan(0);
    expect(w.find('temporal_worker_task_slots_used', { worker_type: 'WorkflowWorker' })).toHaveLength(1);
    expect(total(w, 'temporal_workflow_completed')).toBeGreaterThan(0);
  });

  it('reports the lag of every durable consumer from the process that runs it', () => {
    expect(consumersIn(scraped.notification!)).toEqual(['broadcast-sender', 'notification-case-closer']);
    expect(consumersIn(scraped.personnel!)).toEqual(['drill-responders']);
    expect(consumersIn(scraped.incentives!)).toEqual(['incentives-completions']);
    expect(consumersIn(scraped.bridge!)).toEqual(['workflow-bridge']);
    for (const name of ['lifeline_jetstream_consumer_ack_pending', 'lifeline_jetstream_consumer_redelivered']) expect(scraped.bridge!.find(name, { consumer: 'workflow-bridge' })).toHaveLength(1);
  });
});

describe('JetStream consumer lag', () => {
  it('shows a backlog the bridge has not been handed yet, as JetStream counts it, and drains when it is consumed', async () => {
    const run = randomBytes(3).toString('hex');
    const lag = async () => (await scrapeMetrics(urls.bridge!)).find('lifeline_jetstream_consumer_pending', { stream: STREAMS.events.name, consumer: 'workflow-bridge' })[0]?.value;
    await withNats(async (nc) => {
      const paused = await jsApi<{ paused?: boolean }>(nc, 'PAUSE', { pause_until: new Date(Date.now() + 60_000).toISOString() });
      expect(paused.paused).toBe(true);
      try {
        // Acknowledgements of tasks of an incident that never ran: the bridge acknowledges them once resumed.
        const events = new EventPublisher(nc);
        for (let i = 0; i < 3; i++) {
          const task = { taskId: `metrics-${run}-${i}`, incidentId: `metrics-${run}`, communityId: community.id, stepId: 'metrics', role: 'volunteer' as const, ownerId: `p-${run}`, owners: [`p-${run}`], status: 'acknowledged' as const, drill: true };
          await events.publish(personnelEvents.acknowledged, `${task.taskId}:acknowledged`, task, task.incidentId);
        }
        const seen = await pollUntil('the bridge reports the backlog', lag, { until: (n) => (n ?? 0) >= 3, timeoutMs: 20_000 });
        expect((await jsApi<{ num_pending: number }>(nc, 'INFO')).num_pending).toBe(seen);
      } finally {
        await jsApi(nc, 'PAUSE');
      }
      await pollUntil('the backlog drains', lag, { until: (n) => n === 0, timeoutMs: 30_000 });
    }, 'metrics-test');
  });
});
