import fs from 'node:fs';
import path from 'node:path';
import { TASK_QUEUE } from '@lifeline/contracts';
import type { StackConfig } from './config';
import type { Component } from './components';
import type { StackEndpoints } from './endpoints';
import { tracingEnv } from './jaeger';
import { httpOk, natsConnect, natsUserConnected, serviceAnswers, workerPolling } from './checks';
import type { NatsUser, ServiceName } from '@lifeline/contracts/permissions';
import type { PidRecord } from './processes';
import { bundleArgs, bundleFile } from './bundles';

/** A Lifeline process: its entry file, NATS user, HTTP port and how readiness is proven. */
export interface AppDef {
  name: string;
  entry: string;
  user: Exclude<NatsUser, 'admin'>;
  /** Offset from HTTP_PORT (command-center 0, supplies 1, personnel 2, notification 3, incentives 4). */
  httpPortOffset?: number;
  /**
   * A process without an HTTP server answers `/metrics` on HTTP_PORT + this offset (`METRICS_PORT`): the worker 5
   * (Temporal's runtime serves it), the bridge 6. The others answer `/metrics` on their HTTP port.
   */
  metricsPortOffset?: number;
  readiness: { kind: 'service'; service: ServiceName } | { kind: 'http'; path: string } | { kind: 'worker' } | { kind: 'nats-connection' };
}

/**
 * The apps in start order. Readiness: services answer `$SRV.PING.<name>`; command-center answers
 * `GET /v1/health` 200; the worker has a poller on the incident task queue; the bridge holds a NATS connection as user
 * `bridge` (seen on the monitoring endpoint).
 */
export const APPS: readonly AppDef[] = [
  { name: 'supplies', entry: 'services/supplies/src/main.ts', user: 'supplies', httpPortOffset: 1, readiness: { kind: 'service', service: 'supplies' } },
  { name: 'personnel', entry: 'services/personnel/src/main.ts', user: 'personnel', httpPortOffset: 2, readiness: { kind: 'service', service: 'personnel' } },
  { name: 'notification', entry: 'services/notification/src/main.ts', user: 'notification', httpPortOffset: 3, readiness: { kind: 'service', service: 'notification' } },
  { name: 'incentives', entry: 'services/incentives/src/main.ts', user: 'incentives', httpPortOffset: 4, readiness: { kind: 'service', service: 'incentives' } },
  { name: 'worker', entry: 'workflows/src/worker.ts', user: 'worker', metricsPortOffset: 5, readiness: { kind: 'worker' } },
  { name: 'bridge', entry: 'workflows/src/bridge.ts', user: 'bridge', metricsPortOffset: 6, readiness: { kind: 'nats-connection' } },
  { name: 'command-center', entry: 'services/command-center/src/main.ts', user: 'command-center', httpPortOffset: 0, readiness: { kind: 'http', path: '/v1/health' } },
];

/** Fails with one clear message naming every app whose entry file does not exist yet. */
export function assertAppEntries(repoRoot: string, apps: readonly AppDef[] = APPS): void {
  const missing = apps.filter((a) => !fs.existsSync(path.join(repoRoot, a.entry)));
  if (missing.length > 0) {
    throw new Error(`cannot start the apps: missing entry file(s) ${missing.map((a) => `${a.entry} (${a.name})`).join(', ')}`);
  }
}

/** The environment an app process gets. */
export function appEnv(app: AppDef, config: StackConfig, endpoints: StackEndpoints): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    NATS_URL: endpoints.natsUrl,
    NATS_USER: app.user,
    NATS_PASSWORD: endpoints.secrets.nats[app.user],
    MONGO_URL: endpoints.mongoUrl,
    TEMPORAL_ADDRESS: endpoints.temporalAddress,
    TEMPORAL_NAMESPACE: endpoints.temporalNamespace,
    LIFELINE_TOKEN_SECRET: endpoints.secrets.tokenSecret,
    LIFELINE_PII_KEY: endpoints.secrets.piiKey,
    LOG_LEVEL: config.logLevel,
    // The local stack is a test and drill sandbox: the simulated gateway's controls are served (never on compose/Helm).
    LIFELINE_SANDBOX: 'true',
  };
  Object.assign(env, tracingEnv(endpoints));
  // The console links an incident's trace in the backend's UI when there is one.
  if (app.name === 'command-center' && endpoints.tracesUrl) env.TRACES_URL = endpoints.tracesUrl;
  if (app.httpPortOffset !== undefined) env.HTTP_PORT = String(config.ports.http + app.httpPortOffset);
  if (app.metricsPortOffset !== undefined) env.METRICS_PORT = String(config.ports.http + app.metricsPortOffset);
  return env;
}

/** The port an app answers `GET /metrics` on: its HTTP port, or its own metrics port. */
export function metricsPortOf(app: AppDef, httpBase: number): number | undefined {
  const offset = app.httpPortOffset ?? app.metricsPortOffset;
  return offset === undefined ? undefined : httpBase + offset;
}

/**
 * Every Lifeline process's Prometheus endpoint on a local stack whose command-center listens on `httpBase` and codec
 * server on `codecPort` (README, "Metrics"): the apps in start order, then the codec server.
 */
export function metricsUrls(httpBase: number, codecPort: number, apps: readonly AppDef[] = APPS): Record<string, string> {
  const url = (port: number) => `http://127.0.0.1:${port}/metrics`;
  const ports = apps.flatMap((a) => {
    const port = metricsPortOf(a, httpBase);
    return port === undefined ? [] : [[a.name, url(port)] as const];
  });
  return { ...Object.fromEntries(ports), 'codec-server': url(codecPort) };
}

function readiness(app: AppDef, config: StackConfig, endpoints: StackEndpoints): (rec?: PidRecord) => Promise<boolean> {
  const r = app.readiness;
  switch (r.kind) {
    case 'service':
      return async () => {
        const nc = await natsConnect(endpoints.natsUrl, 'admin', endpoints.secrets.nats.admin);
        try {
          return await serviceAnswers(nc, r.service);
        } finally {
          await nc.close();
        }
      };
    case 'http':
      return () => httpOk(`http://127.0.0.1:${config.ports.http + (app.httpPortOffset ?? 0)}${r.path}`);
    case 'worker':
      return async (rec) => !!rec && workerPolling(endpoints.temporalAddress, endpoints.temporalNamespace, TASK_QUEUE, rec.pid, new Date(rec.startedAt));
    case 'nats-connection':
      return (rec) => natsUserConnected(endpoints.natsMonitorUrl, app.user, rec && new Date(rec.startedAt));
  }
}

/** The apps as components, run from their compiled bundles (`node dist/apps/<name>.js`, build.ts) at the repository root. */
export function appComponents(config: StackConfig, endpoints: StackEndpoints, apps: readonly AppDef[] = APPS): Component[] {
  return apps.map((app) => ({
    name: app.name,
    kind: 'app',
    spec: {
      name: app.name,
      command: process.execPath,
      args: bundleArgs(app.name),
      cwd: config.repoRoot,
      env: appEnv(app, config, endpoints),
      marker: bundleFile(app.name),
      ...(app.httpPortOffset !== undefined ? { port: config.ports.http + app.httpPortOffset } : {}),
    },
    ready: readiness(app, config, endpoints),
    // A worker's pollers outlive it in Temporal, and a killed bridge's connection can still be listed by NATS for a
    // moment (measured: `lifeline up` right after a SIGKILL took it for a running bridge and started none), so only
    // one we started counts.
    reuseExternal: app.readiness.kind !== 'worker' && app.readiness.kind !== 'nats-connection',
    timeoutMs: 90_000,
  }));
}
