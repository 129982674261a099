/** OpenTelemetry wiring for the Temporal worker and client (Node side only). */
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { workflowSpanProcessor } from '@lifeline/platform/telemetry-temporal';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';

/** Workflow spans are exported through a sink; without an OTLP endpoint they are dropped, like the process's own. */
const dropSpans: SpanProcessor = { onStart: () => undefined, onEnd: () => undefined, forceFlush: async () => undefined, shutdown: async () => undefined };

/** Interceptors and sinks that trace workflows (through the sandbox) and activities, parented on the caller's span. */
export function workerTracing(serviceName: string): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const processor = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? new BatchSpanProcessor(new OTLPTraceExporter()) : dropSpans;
  const resource = resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'lifeline' });
  // The interceptors package is typed against OpenTelemetry SDK 1.x; 2.x processors and resources are wire-compatible.
  const exporter = makeWorkflowExporter(workflowSpanProcessor(processor) as never, resource as never);
  const sinks: InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }> = { exporter };
  return {
    sinks,
    interceptors: {
      workflowModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
  };
}
