import { stackConfig, type StackConfig } from './config';
import { APPS, appComponents, assertAppEntries, metricsUrls } from './apps';
import { startComponent, stopStarted, type ComponentOutcome } from './components';
import { codecServerComponent } from './codec-server';
import { infraComponents, localEndpoints, prepareInfra } from './infra';
import { isPortOpen, isRecordedRunning, readPidRecord, stopRecorded } from './processes';
import { loadOrCreateSecrets } from './secrets';
import { ensureTools } from './tools';
import { BUILD_TARGETS, ensureAppBuild } from './build';
import type { StackProvider } from './provider';

const defaultLog = (line: string) => console.log(`[stack] ${line}`);

/** Component names in start order: infrastructure, then apps. `down` stops them in reverse. */
export const COMPONENT_NAMES = ['nats', 'temporal', 'ferretdb', 'jaeger', 'codec-server', ...APPS.map((a) => a.name)] as const;

/** Infrastructure and apps as local processes (binaries from `.tools/bin`), state under the data dir. */
export function localProvider(config: StackConfig = stackConfig()): StackProvider {
  return {
    name: 'local',
    async start({ apps, log = defaultLog }) {
      if (apps) assertAppEntries(config.repoRoot);
      // The codec server runs from the same build as the apps, so the build comes first even without apps.
      const [tools, build] = await Promise.all([ensureTools({ log, repoRoot: config.repoRoot, tracing: config.tracing }), ensureAppBuild({ log, repoRoot: config.repoRoot })]);
      const endpoints = localEndpoints(config, loadOrCreateSecrets(config.dataDir));
      const outcomes: ComponentOutcome[] = [];
      const stop = () => stopStarted(config.dataDir, outcomes, log);
      const startAll = async (components: ReturnType<typeof infraComponents>) => {
        const results = await Promise.allSettled(components.map((c) => startComponent(config.dataDir, c, log)));
        for (const r of results) if (r.status === 'fulfilled') outcomes.push(r.value);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      };
      // The codec server needs only the secrets, so it starts beside everything else instead of before the apps
      // (measured: it took 1.4 s to answer where NATS, Temporal and FerretDB took 0.5 s).
      const codec = startAll([codecServerComponent(config, endpoints)]);
      codec.catch(() => undefined); // awaited below; this only keeps an early failure from being unhandled meanwhile
      try {
        await startAll(infraComponents(config, tools, endpoints));
        await prepareInfra(endpoints);
        if (apps) await startAll(appComponents(config, endpoints));
        await codec;
      } catch (err) {
        await codec.catch(() => undefined);
        await stop();
        throw err;
      }
      // A process already running was reused, so a source changed since it started is not in it.
      const older = build === 'built' ? outcomes.filter((o) => o.how === 'reused-ours' && BUILD_TARGETS.some((t) => t.name === o.name)).map((o) => o.name) : [];
      if (older.length > 0) log(`${older.join(', ')}: still running code from before this build; stop them (lifeline down, or kill one) to run the new code`);
      return { provider: 'local', endpoints, components: outcomes, stop };
    },
  };
}

/**
 * The provider chosen by `LIFELINE_STACK`: `local` (default, processes on loopback) or `containers` (testcontainers;
 * needs a Docker-compatible engine).
 */
export function chooseProvider(env: NodeJS.ProcessEnv = process.env, config: StackConfig = stackConfig(env)): StackProvider {
  const choice = env.LIFELINE_STACK || 'local';
  if (choice === 'local') return localProvider(config);
  if (choice === 'containers') {
    // Loaded lazily so the local path never loads the Docker client.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { containersProvider } = require('./containers') as typeof import('./containers');
    return containersProvider(config);
  }
  throw new Error(`LIFELINE_STACK must be "local" or "containers", got "${choice}"`);
}

/** One row of `lifeline status`. */
export interface ComponentState {
  name: string;
  /** Pid from our pidfile, when the recorded process still runs. */
  pid?: number;
  port?: number;
  /** Where its Prometheus metrics are scraped (README, "Metrics"); infrastructure has none of ours. */
  metricsUrl?: string;
  /** Started by lifeline and still running. */
  running: boolean;
  /** Its port accepts connections (or, with no port, its process runs). */
  reachable: boolean;
}

/** What is running, from the pidfiles under the data dir plus a TCP probe of each known port. */
export async function readStackState(config: StackConfig = stackConfig()): Promise<ComponentState[]> {
  const knownPorts: Record<string, number> = {
    nats: config.ports.nats,
    temporal: config.ports.temporal,
    ferretdb: config.ports.mongo,
    jaeger: config.ports.jaeger,
    'codec-server': config.ports.codec,
    ...Object.fromEntries(APPS.filter((a) => a.httpPortOffset !== undefined).map((a) => [a.name, config.ports.http + (a.httpPortOffset ?? 0)])),
  };
  const metrics = metricsUrls(config.ports.http, config.ports.codec);
  return Promise.all(
    COMPONENT_NAMES.map(async (name) => {
      const rec = readPidRecord(config.dataDir, name);
      const running = !!rec && isRecordedRunning(rec);
      const port = rec?.port ?? knownPorts[name];
      const reachable = port !== undefined ? await isPortOpen(port) : running;
      const state: ComponentState = { name, running, reachable };
      if (running && rec) state.pid = rec.pid;
      if (port !== undefined) state.port = port;
      if (metrics[name]) state.metricsUrl = metrics[name];
      return state;
    }),
  );
}

/** Stops everything recorded in pidfiles under the data dir, apps first. Returns the names stopped. */
export async function stopRecordedStack(config: StackConfig = stackConfig(), log: (line: string) => void = defaultLog): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of [...COMPONENT_NAMES].reverse()) {
    if (await stopRecorded(config.dataDir, name)) {
      log(`${name}: stopped`);
      stopped.push(name);
    }
  }
  return stopped;
}
