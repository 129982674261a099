import fs from 'node:fs';
import path from 'node:path';
import type { StackConfig } from './config';
import type { Component } from './components';
import type { StackEndpoints } from './endpoints';
import { httpOk } from './checks';
import { isPortOpen } from './processes';
import type { ToolPaths } from './tools';

/**
 * The configuration of Jaeger's all-in-one (an OpenTelemetry Collector with Jaeger's extensions): OTLP/HTTP in on
 * loopback, spans kept in memory (the newest `maxTraces` traces; gone when it stops), the query service (search, HTTP
 * API, UI) on loopback. Jaeger's own example config also starts gRPC, Jaeger and Zipkin receivers, remote sampling,
 * zpages, expvar and a Prometheus endpoint on fixed ports; none is needed here, and each would be one more port that
 * could collide. Jaeger does not trace itself (`enable_tracing: false`): its spans would crowd ours.
 */
export function jaegerConfig(config: StackConfig, maxTraces = 20_000): string {
  const { jaeger, otlp } = config.ports;
  return `# Written by lifeline up (deploy/local/src/jaeger.ts); rewritten at every start.
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: ${maxTraces}
  jaeger_query:
    storage:
      traces: memstore
    enable_tracing: false
    http:
      endpoint: 127.0.0.1:${jaeger}
    grpc:
      endpoint: 127.0.0.1:${jaeger - 1}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
processors:
  batch:
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

/** Jaeger as a stack component; ready when its query API answers and its OTLP receiver accepts connections. */
export function jaegerComponent(config: StackConfig, tools: ToolPaths, endpoints: StackEndpoints): Component {
  const dir = path.join(config.dataDir, 'jaeger');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'config.yaml');
  fs.writeFileSync(file, jaegerConfig(config));
  return {
    name: 'jaeger',
    kind: 'infra',
    spec: { name: 'jaeger', command: tools.jaeger, args: ['--config', file], port: config.ports.jaeger },
    ready: async () => (await httpOk(`${endpoints.tracesUrl}/api/services`)) && isPortOpen(config.ports.otlp),
  };
}

/**
 * What a process needs to export its spans to the stack's Jaeger (none without tracing): the OTLP endpoint, and
 * metrics stay Prometheus-only (Jaeger takes no metrics; without it every process would also push them there).
 */
export function tracingEnv(endpoints: StackEndpoints): NodeJS.ProcessEnv {
  if (!endpoints.otlpUrl) return {};
  return { OTEL_EXPORTER_OTLP_ENDPOINT: endpoints.otlpUrl, OTEL_METRICS_EXPORTER: 'prometheus' };
}
