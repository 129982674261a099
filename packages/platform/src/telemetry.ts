import { context, metrics, propagation, trace, type Context, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

let provider: NodeTracerProvider | undefined;
let meterProvider: MeterProvider | undefined;

/**
 * Start OpenTelemetry tracing for this process. Call it first thing in every entry point.
 * Spans are exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; without it spans still
 * exist so trace context propagates across HTTP, Temporal and NATS.
 */
export function startTelemetry(serviceName: string): void {
  if (provider) return;
  const spanProcessors: SpanProcessor[] = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [];
  const resource = resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'lifeline' });
  provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register();
  // Metrics (telemetry-metrics.ts) travel the same way as spans: OTLP to the collector, which Prometheus scrapes.
  const readers = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
    ? [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: Number(process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 15_000) })]
    : [];
  meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);
}

/** Flush and stop the tracer provider (on shutdown). */
export async function stopTelemetry(): Promise<void> {
  await Promise.all([provider?.shutdown(), meterProvider?.shutdown()]);
  provider = undefined;
  meterProvider = undefined;
}

export const tracer = () => trace.getTracer('lifeline');

/** Run `fn` inside a span; errors mark the span and propagate. */
export async function inSpan<T>(name: string, kind: SpanKind, parent: Context, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Write the active trace context into a carrier (NATS headers, HTTP headers). */
export function injectTrace(set: (key: string, value: string) => void): void {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  for (const [k, v] of Object.entries(carrier)) set(k, v);
}

/** Read trace context from a carrier into a Context. */
export function extractTrace(get: (key: string) => string | undefined): Context {
  const carrier: Record<string, string> = {};
  for (const key of propagation.fields()) {
    const value = get(key);
    if (value) carrier[key] = value;
  }
  return propagation.extract(context.active(), carrier);
}

export { SpanKind, context };
