import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import type { StackConfig } from './config';
import { appComponents, assertAppEntries } from './apps';
import { codecServerComponent } from './codec-server';
import { ensureAppBuild } from './build';
import { startComponent, stopStarted, type ComponentOutcome } from './components';
import type { StackEndpoints } from './endpoints';
import { prepareInfra } from './infra';
import { renderNatsConfig } from './nats-config';
import { loadOrCreateSecrets } from './secrets';
import type { StackProvider } from './provider';
import { searchAttributeFlags } from './temporal';

/** Images of the containers provider; docker-compose.yml uses the same ones. */
export const CONTAINER_IMAGES = {
  nats: 'nats:2.12',
  temporal: 'temporalio/temporal:1.5.1',
  mongo: 'mongo:7',
} as const;

function startNats(config: string): Promise<StartedTestContainer> {
  return new GenericContainer(CONTAINER_IMAGES.nats)
    .withCopyContentToContainer([{ content: config, target: '/etc/nats/lifeline.conf' }])
    .withCommand(['-c', '/etc/nats/lifeline.conf'])
    .withExposedPorts(4222, 8222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
}

/** The UI runs in the container, but its codec calls come from the browser on this machine: `codecUrl` is on loopback. */
function startTemporal(codecUrl: string): Promise<StartedTestContainer> {
  return new GenericContainer(CONTAINER_IMAGES.temporal)
    .withCommand(['server', 'start-dev', '--ip', '0.0.0.0', '--namespace', 'default', '--log-level', 'warn', '--ui-codec-endpoint', codecUrl, ...searchAttributeFlags()])
    .withExposedPorts(7233, 8233)
    .withWaitStrategy(Wait.forListeningPorts())
    .withStartupTimeout(120_000)
    .start();
}

function startMongo(): Promise<StartedTestContainer> {
  return new GenericContainer(CONTAINER_IMAGES.mongo)
    .withExposedPorts(27017)
    .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
    .start();
}

/**
 * Infrastructure in containers (NATS with the same generated config, the Temporal CLI's dev server, real MongoDB 7),
 * the codec server and the apps as local processes pointed at them. Needs a Docker-compatible engine; containers are removed on stop.
 */
export function containersProvider(config: StackConfig): StackProvider {
  return {
    name: 'containers',
    async start({ apps, log = (line: string) => console.log(`[stack] ${line}`) }) {
      if (apps) assertAppEntries(config.repoRoot);
      const secrets = loadOrCreateSecrets(config.dataDir);
      const natsConf = renderNatsConfig({ host: '0.0.0.0', port: 4222, monitorPort: 8222, storeDir: '/data/jetstream', passwords: secrets.nats });
      const codecUrl = `http://127.0.0.1:${config.ports.codec}/codec`;
      const settled = await Promise.allSettled([startNats(natsConf), startTemporal(codecUrl), startMongo()]);
      const containers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const outcomes: ComponentOutcome[] = [];
      const stop = async () => {
        await stopStarted(config.dataDir, outcomes, log);
        await Promise.all(containers.map((c) => c.stop()));
      };
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) {
        await stop();
        throw failed.reason;
      }
      const [nats, temporal, mongo] = containers as [StartedTestContainer, StartedTestContainer, StartedTestContainer];
      const endpoints: StackEndpoints = {
        natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
        natsMonitorUrl: `http://${nats.getHost()}:${nats.getMappedPort(8222)}`,
        temporalAddress: `${temporal.getHost()}:${temporal.getMappedPort(7233)}`,
        temporalNamespace: 'default',
        temporalUiUrl: `http://${temporal.getHost()}:${temporal.getMappedPort(8233)}`,
        codecUrl,
        mongoUrl: `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}`,
        httpUrl: `http://127.0.0.1:${config.ports.http}`,
        secrets,
      };
      try {
        await Promise.all([prepareInfra(endpoints), ensureAppBuild({ log, repoRoot: config.repoRoot })]);
        outcomes.push(await startComponent(config.dataDir, { ...codecServerComponent(config, endpoints), reuseExternal: false }, log));
        if (apps) {
          for (const c of appComponents(config, endpoints)) outcomes.push(await startComponent(config.dataDir, { ...c, reuseExternal: false }, log));
        }
      } catch (err) {
        await stop();
        throw err;
      }
      log(`containers up: ${Object.values(CONTAINER_IMAGES).join(', ')}`);
      return { provider: 'containers', endpoints, components: outcomes, stop };
    },
  };
}
