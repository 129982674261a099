import fs from 'node:fs';
import path from 'node:path';
import { ensureStreams } from '@lifeline/platform';
import type { StackConfig } from './config';
import type { Component } from './components';
import type { StackEndpoints } from './endpoints';
import { mongoPing, natsAccepts, natsConnect, temporalServing } from './checks';
import { jaegerComponent } from './jaeger';
import { renderNatsConfig } from './nats-config';
import { ensureSearchAttributes, searchAttributeFlags } from './temporal';
import type { ToolPaths } from './tools';

/** Endpoints of a local-process stack. */
export function localEndpoints(config: StackConfig, secrets: StackEndpoints['secrets']): StackEndpoints {
  const { ports } = config;
  return {
    natsUrl: `nats://127.0.0.1:${ports.nats}`,
    natsMonitorUrl: `http://127.0.0.1:${ports.natsMonitor}`,
    temporalAddress: `127.0.0.1:${ports.temporal}`,
    temporalNamespace: 'default',
    temporalUiUrl: `http://127.0.0.1:${ports.temporalUi}`,
    codecUrl: `http://127.0.0.1:${ports.codec}/codec`,
    mongoUrl: `mongodb://127.0.0.1:${ports.mongo}`,
    httpUrl: `http://127.0.0.1:${ports.http}`,
    ...(config.tracing ? { tracesUrl: `http://127.0.0.1:${ports.jaeger}`, otlpUrl: `http://127.0.0.1:${ports.otlp}` } : {}),
    secrets,
  };
}

/** Writes `<dataDir>/nats/nats.conf` and returns its path. */
function writeNatsConfig(config: StackConfig, endpoints: StackEndpoints): string {
  const dir = path.join(config.dataDir, 'nats');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'nats.conf');
  const text = renderNatsConfig({
    port: config.ports.nats,
    monitorPort: config.ports.natsMonitor,
    storeDir: dir, // nats-server adds /jetstream
    passwords: endpoints.secrets.nats,
  });
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/**
 * NATS, the Temporal dev server (its UI decoding through the codec server) and FerretDB as local processes, and
 * Jaeger with tracing on.
 */
export function infraComponents(config: StackConfig, tools: ToolPaths, endpoints: StackEndpoints): Component[] {
  const { dataDir, ports } = config;
  const admin = endpoints.secrets.nats.admin;
  const ferretDir = path.join(dataDir, 'ferretdb');
  fs.mkdirSync(ferretDir, { recursive: true });
  return [
    {
      name: 'nats',
      kind: 'infra',
      spec: { name: 'nats', command: tools.natsServer, args: ['-c', writeNatsConfig(config, endpoints)], port: ports.nats },
      ready: () => natsAccepts(endpoints.natsUrl, 'admin', admin),
    },
    {
      name: 'temporal',
      kind: 'infra',
      spec: {
        name: 'temporal',
        command: tools.temporal,
        args: [
          'server', 'start-dev',
          '--ip', '127.0.0.1',
          '--port', String(ports.temporal),
          '--ui-port', String(ports.temporalUi),
          // The UI (in the browser) asks the codec server to decrypt the payloads it shows.
          '--ui-codec-endpoint', endpoints.codecUrl,
          '--db-filename', path.join(dataDir, 'temporal.db'),
          // WAL with synchronous=NORMAL: a commit survives the kill of any process (what our restart tests do), only a
          // power loss may drop the last commits. With the defaults, 300 child workflows of two activities took
          // 42.8 s; with these pragmas 17.3 s (same machine, same minute; workflows/README.md).
          '--sqlite-pragma', 'journal_mode=wal',
          '--sqlite-pragma', 'synchronous=normal',
          '--namespace', 'default',
          '--log-level', 'warn',
          ...searchAttributeFlags(),
        ],
        port: ports.temporal,
      },
      ready: () => temporalServing(tools.temporal, endpoints.temporalAddress),
      timeoutMs: 120_000,
    },
    {
      name: 'ferretdb',
      kind: 'infra',
      spec: {
        name: 'ferretdb',
        command: tools.ferretdb,
        args: [
          '--handler=sqlite',
          `--sqlite-url=file:${ferretDir}/`,
          `--listen-addr=127.0.0.1:${ports.mongo}`,
          '--telemetry=disable',
          '--debug-addr=-',
          `--state-dir=${ferretDir}`,
          '--log-level=WARN',
        ],
        port: ports.mongo,
      },
      ready: () => mongoPing(endpoints.mongoUrl),
    },
    ...(config.tracing ? [jaegerComponent(config, tools, endpoints)] : []),
  ];
}

/** What the infrastructure needs once it answers: JetStream streams and Temporal search attributes (idempotent). */
export async function prepareInfra(endpoints: StackEndpoints): Promise<void> {
  const nc = await natsConnect(endpoints.natsUrl, 'admin', endpoints.secrets.nats.admin);
  try {
    await ensureStreams(nc);
  } finally {
    await nc.close();
  }
  await ensureSearchAttributes(endpoints.temporalAddress, endpoints.temporalNamespace);
}
