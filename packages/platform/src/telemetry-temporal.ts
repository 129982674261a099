import type { SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { metricsHost, metricsPort } from './telemetry';

/** A span as Temporal's workflow sandbox serialises it: OpenTelemetry SDK 1.x field names. */
interface LegacySpan {
  spanContext(): SpanContext;
  parentSpanId?: string;
  parentSpanContext?: SpanContext;
  instrumentationLibrary?: { name: string; version?: string };
  instrumentationScope?: { name: string; version?: string };
}

/** SDK 1.x span fields → SDK 2.x (`parentSpanId` → `parentSpanContext`, `instrumentationLibrary` → `instrumentationScope`). */
export function adaptLegacySpan(span: LegacySpan): ReadableSpan {
  if (span.instrumentationScope && (span.parentSpanContext || !span.parentSpanId)) return span as unknown as ReadableSpan;
  const context = span.spanContext();
  return {
    ...span,
    spanContext: () => context,
    parentSpanContext: span.parentSpanContext ?? (span.parentSpanId ? { traceId: context.traceId, spanId: span.parentSpanId, traceFlags: context.traceFlags, isRemote: false } : undefined),
    instrumentationScope: span.instrumentationScope ?? span.instrumentationLibrary ?? { name: '@temporalio/interceptors-opentelemetry' },
  } as unknown as ReadableSpan;
}

/**
 * Wrap the span processor given to Temporal's `makeWorkflowExporter`: workflow spans come out of the sandbox in
 * OpenTelemetry SDK 1.x shape, and an SDK 2.x exporter would drop their parents (or the whole batch) without this.
 */
export function workflowSpanProcessor(processor: SpanProcessor): SpanProcessor {
  return {
    onStart: (span, ctx) => processor.onStart(span, ctx),
    onEnd: (span) => processor.onEnd(adaptLegacySpan(span as unknown as LegacySpan)),
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.shutdown(),
  };
}

/**
 * The worker's `Runtime.install` telemetry: with `METRICS_PORT` set, Temporal's own runtime serves its worker metrics
 * (task slots available and used, pollers, schedule-to-start and execution latencies, sticky cache) in Prometheus text
 * at `http://<HTTP_HOST>:<METRICS_PORT>/metrics`, names as the SDK documents them (`temporal_worker_task_slots_available`,
 * …). Without it the runtime exports no metrics. The worker then starts telemetry with `metricsServer: false`, so
 * the port is the runtime's alone. Typed structurally, so platform needs no dependency on `@temporalio/worker`.
 */
export function temporalRuntimeMetrics(env: NodeJS.ProcessEnv = process.env): { telemetryOptions?: { metrics: { prometheus: { bindAddress: string } } } } {
  const port = metricsPort(env);
  if (port === undefined) return {};
  return { telemetryOptions: { metrics: { prometheus: { bindAddress: `${metricsHost(env)}:${port}` } } } };
}
