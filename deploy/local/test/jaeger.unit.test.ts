import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { APPS, appEnv } from '../src/apps';
import { codecServerEnv } from '../src/codec-server';
import { stackConfig } from '../src/config';
import { infraComponents, localEndpoints } from '../src/infra';
import { jaegerConfig } from '../src/jaeger';
import { generateSecrets } from '../src/secrets';
import { COMPONENT_NAMES } from '../src/stack';

const tools = { natsServer: 'nats-server', temporal: 'temporal', ferretdb: 'ferretdb', jaeger: '/repo/.tools/bin/jaeger' };

describe('tracing in the local stack', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-jaeger-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const on = stackConfig({ LIFELINE_DATA_DIR: dataDir, JAEGER_PORT: '26686', OTLP_PORT: '24318' }, '/repo');
  const off = stackConfig({ LIFELINE_DATA_DIR: dataDir, LIFELINE_TRACING: '0' }, '/repo');

  it('is on unless LIFELINE_TRACING says off, and refuses a value it does not know', () => {
    expect(on.tracing).toBe(true);
    expect(off.tracing).toBe(false);
    expect(stackConfig({ LIFELINE_TRACING: 'off' }, '/repo').tracing).toBe(false);
    expect(stackConfig({ LIFELINE_TRACING: '1' }, '/repo').tracing).toBe(true);
    expect(() => stackConfig({ LIFELINE_TRACING: 'maybe' }, '/repo')).toThrow(/LIFELINE_TRACING/);
  });

  it('starts Jaeger only with tracing on, from its config in the data dir; status and down know it', () => {
    const names = (config: typeof on) => infraComponents(config, tools, localEndpoints(config, generateSecrets())).map((c) => c.name);
    expect(names(off)).not.toContain('jaeger');
    const jaeger = infraComponents(on, tools, localEndpoints(on, generateSecrets())).find((c) => c.name === 'jaeger')!;
    expect(jaeger.spec).toMatchObject({ command: '/repo/.tools/bin/jaeger', args: ['--config', path.join(dataDir, 'jaeger', 'config.yaml')], port: 26686 });
    expect(fs.readFileSync(path.join(dataDir, 'jaeger', 'config.yaml'), 'utf8')).toBe(jaegerConfig(on));
    expect(COMPONENT_NAMES).toContain('jaeger');
  });

  it('takes OTLP over HTTP and answers queries on loopback only, keeping spans in memory, opening no other port', () => {
    const doc = parse(jaegerConfig(on)) as {
      receivers: unknown;
      extensions: { jaeger_query: unknown; jaeger_storage: { backends: { memstore: object } } };
      service: { extensions: string[]; pipelines: { traces: unknown }; telemetry: { metrics: unknown } };
    };
    expect(doc.receivers).toEqual({ otlp: { protocols: { http: { endpoint: '127.0.0.1:24318' } } } });
    expect(doc.extensions.jaeger_query).toMatchObject({ http: { endpoint: '127.0.0.1:26686' }, grpc: { endpoint: '127.0.0.1:26685' }, storage: { traces: 'memstore' } });
    expect(Object.keys(doc.extensions.jaeger_storage.backends.memstore)).toEqual(['memory']);
    expect(doc.service.extensions).toEqual(['jaeger_storage', 'jaeger_query']);
    expect(doc.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] });
    // No Prometheus endpoint of the collector's own (it would take 8888).
    expect(doc.service.telemetry.metrics).toEqual({ level: 'none' });
  });

  it('has every process export its spans to Jaeger (metrics stay Prometheus-only) and the console link traces', () => {
    const endpoints = localEndpoints(on, generateSecrets());
    expect([endpoints.tracesUrl, endpoints.otlpUrl]).toEqual(['http://127.0.0.1:26686', 'http://127.0.0.1:24318']);
    const envs = [...APPS.map((a) => appEnv(a, on, endpoints)), codecServerEnv(on, endpoints)];
    expect(envs).toHaveLength(8);
    for (const env of envs) expect(env).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:24318', OTEL_METRICS_EXPORTER: 'prometheus' });
    expect(appEnv(APPS.find((a) => a.name === 'command-center')!, on, endpoints).TRACES_URL).toBe('http://127.0.0.1:26686');
  });

  it('exports nothing with tracing off', () => {
    const endpoints = localEndpoints(off, generateSecrets());
    expect(endpoints.tracesUrl).toBeUndefined();
    for (const env of [...APPS.map((a) => appEnv(a, off, endpoints)), codecServerEnv(off, endpoints)]) {
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
      expect(env.TRACES_URL).toBeUndefined();
    }
  });
});
