import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { workflowSpanProcessor } from '../src/telemetry-temporal';

describe('workflow spans from the Temporal sandbox', () => {
  it('reach an SDK 2.x exporter with their parent and scope (SDK 1.x field names adapted)', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = workflowSpanProcessor(new SimpleSpanProcessor(exporter));
    const context = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    const legacy = {
      name: 'RunWorkflow:incidentWorkflow',
      kind: 1,
      spanContext: () => context,
      parentSpanId: '00f067aa0ba902b7',
      startTime: [1, 0],
      endTime: [2, 0],
      duration: [1, 0],
      status: { code: 0 },
      attributes: {},
      links: [],
      events: [],
      ended: true,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      instrumentationLibrary: { name: '@temporalio/interceptors-opentelemetry' },
      resource: { attributes: {} },
    };
    processor.onEnd(legacy as never);
    await processor.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('RunWorkflow:incidentWorkflow');
    expect(span!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span!.parentSpanContext?.traceId).toBe(context.traceId);
    expect(span!.instrumentationScope.name).toBe('@temporalio/interceptors-opentelemetry');
  });
});
