import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { METRIC_NAMES, observeIncidentPhases, recordBroadcastOutcomes, recordEvent, recordRequest, resetMetricInstruments } from '../src/telemetry-metrics';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const reader = new TestReader();
const provider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  metrics.setGlobalMeterProvider(provider);
  resetMetricInstruments();
});
afterAll(() => provider.shutdown());

async function collect() {
  const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
  const out = new Map<string, { attributes: Record<string, unknown>; value: unknown }[]>();
  for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) out.set(m.descriptor.name, m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })));
  return out;
}

describe('Lifeline metrics', () => {
  it('reservation latency and every endpoint’s duration, by outcome', async () => {
    recordRequest('lifeline.supplies.reserve', 12, 'ok');
    recordRequest('lifeline.supplies.reserve', 30, 'insufficient_stock');
    recordRequest('lifeline.personnel.dispatch', 5, 'ok');
    const m = await collect();
    const reserve = m.get(METRIC_NAMES.reservationDuration)!;
    expect(reserve.map((p) => [p.attributes.outcome, (p.value as { count: number; sum: number }).count])).toEqual(
      expect.arrayContaining([
        ['ok', 1],
        ['insufficient_stock', 1],
      ]),
    );
    const rpc = m.get(METRIC_NAMES.rpcDuration)!;
    expect(rpc.find((p) => p.attributes['rpc.subject'] === 'lifeline.personnel.dispatch')).toBeDefined();
    expect(reserve.some((p) => p.attributes['rpc.subject'] !== undefined)).toBe(false);
  });

  it('broadcast messages per page as sent, throughput from finished jobs, and acknowledgement time from assignment to acknowledgement', async () => {
    recordBroadcastOutcomes([{ status: 'sent', channel: 'sms' }, { status: 'sent', channel: 'sms' }, { status: 'failed', channel: 'sms' }, { status: 'capped', channel: 'sms' }], true);
    recordEvent('notification.broadcast-completed', { sent: 2000, failed: 5, elapsedSeconds: 4, drill: true });
    recordEvent('personnel.task-assigned', { taskId: 't1', ownerId: 'p1', role: 'volunteer', drill: true }, 1_000);
    recordEvent('personnel.task-acknowledged', { taskId: 't1', ownerId: 'p1', role: 'volunteer', drill: true }, 8_500);
    // An acknowledgement whose assignment this process never saw is not guessed.
    recordEvent('personnel.task-acknowledged', { taskId: 't2', ownerId: 'p2', role: 'volunteer', drill: true }, 9_000);
    const m = await collect();
    // The finished job's figures are not counted again: the pages were counted as they were sent.
    const messages = m.get(METRIC_NAMES.broadcastMessages)!;
    expect(messages.map((p) => [p.attributes.outcome, p.attributes.channel, p.attributes.drill, p.value])).toEqual(
      expect.arrayContaining([
        ['sent', 'sms', true, 2],
        ['failed', 'sms', true, 1],
        ['capped', 'sms', true, 1],
      ]),
    );
    expect(messages).toHaveLength(3);
    const rate = m.get(METRIC_NAMES.broadcastRate)![0]!.value as { sum: number; count: number };
    expect(rate).toMatchObject({ sum: 500, count: 1 });
    const ack = m.get(METRIC_NAMES.dispatchAckTime)![0]!;
    expect(ack.attributes).toEqual({ role: 'volunteer', drill: true });
    expect(ack.value).toMatchObject({ sum: 7.5, count: 1 });
  });

  it('incidents by phase from the counting function', async () => {
    observeIncidentPhases(async (phase) => ({ warn: 2, respond: 1 })[phase] ?? 0);
    const m = await collect();
    const byPhase = Object.fromEntries(m.get(METRIC_NAMES.incidents)!.map((p) => [p.attributes.phase, p.value]));
    expect(byPhase).toEqual({ warn: 2, mobilize: 0, respond: 1, recover: 0, review: 0 });
  });
});
