import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, isSpanContextValid, metrics, propagation, trace, type AttributeValue, type Context, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

let provider: NodeTracerProvider | undefined;
let meterProvider: MeterProvider | undefined;
let prometheus: PrometheusExporter | undefined;

/**
 * `METRICS_PORT`: where a process without an HTTP server of its own (the bridge; the worker, whose port Temporal's
 * runtime serves) answers `GET /metrics`. Undefined when unset; a value that is not a TCP port stops the process.
 */
export function metricsPort(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.METRICS_PORT;
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`METRICS_PORT must be a TCP port (1-65535), got "${raw}"`);
  return port;
}

/** The interface a metrics port binds: the process's `HTTP_HOST` (0.0.0.0 in containers), loopback by default. */
export const metricsHost = (env: NodeJS.ProcessEnv = process.env) => env.HTTP_HOST || '127.0.0.1';

/**
 * Whether metrics are also pushed over OTLP: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, unless `OTEL_METRICS_EXPORTER`
 * (OpenTelemetry's variable, a comma-separated list) leaves `otlp` out. Compose and Kubernetes set it to
 * `prometheus`: Prometheus scrapes every process, so a push would count everything twice.
 */
export function pushesMetrics(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  const exporters = env.OTEL_METRICS_EXPORTER;
  return exporters === undefined || exporters === '' || exporters.split(',').some((e) => e.trim() === 'otlp');
}

export interface TelemetryOptions {
  /**
   * Serve `/metrics` on `METRICS_PORT` with the exporter's own server (default true). The worker says false: its
   * `METRICS_PORT` is Temporal's runtime's Prometheus endpoint (telemetry-temporal.ts, `temporalRuntimeMetrics`).
   */
  metricsServer?: boolean;
}

/**
 * Start OpenTelemetry tracing and metrics for this process. Call it first thing in every entry point.
 * Spans are exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; without it spans still
 * exist so trace context propagates across HTTP, Temporal and NATS.
 * Metrics (telemetry-metrics.ts) are always readable in Prometheus text: at `/metrics` on the process's HTTP server
 * (http.ts mounts {@link metricsHandler}) or on `METRICS_PORT`. Nothing is computed until a scrape asks; the
 * instruments only aggregate in memory. They are also pushed over OTLP when {@link pushesMetrics} says so.
 */
export function startTelemetry(serviceName: string, opts: TelemetryOptions = {}): void {
  if (provider) return;
  const spanProcessors: SpanProcessor[] = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [];
  const resource = resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'lifeline' });
  provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register();
  const port = opts.metricsServer === false ? undefined : metricsPort();
  prometheus = new PrometheusExporter({ preventServerStart: true, ...(port === undefined ? {} : { port, host: metricsHost() }) });
  if (port !== undefined) {
    prometheus.startServer().catch((err: Error) => {
      process.stderr.write(`${serviceName}: cannot serve metrics on ${metricsHost()}:${port}: ${err.message}\n`);
      process.exit(1);
    });
  }
  const readers: MetricReader[] = [prometheus];
  if (pushesMetrics()) readers.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: Number(process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 15_000) }));
  meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);
}

/**
 * `GET /metrics`: the process's metrics in Prometheus text format (the official OpenTelemetry exporter's own
 * handler). 503 before {@link startTelemetry} (a test app without telemetry).
 */
export function metricsHandler(req: IncomingMessage, res: ServerResponse): void {
  if (prometheus) return prometheus.getMetricsRequestHandler(req, res);
  res.statusCode = 503;
  res.setHeader('content-type', 'text/plain');
  res.end('# telemetry not started in this process\n');
}

/** Flush and stop the tracer and meter providers and the metrics server (on shutdown). */
export async function stopTelemetry(): Promise<void> {
  await Promise.all([provider?.shutdown(), meterProvider?.shutdown()]);
  provider = undefined;
  meterProvider = undefined;
  prometheus = undefined;
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

/**
 * The trace the current code runs in, with `attributes` set on its active span (so the trace can be searched by
 * them, e.g. `lifeline.incident.id`). Undefined outside a span.
 */
export function activeTrace(attributes: Record<string, AttributeValue> = {}): string | undefined {
  const span = trace.getActiveSpan();
  if (!span || !isSpanContextValid(span.spanContext())) return undefined;
  span.setAttributes(attributes);
  return span.spanContext().traceId;
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
