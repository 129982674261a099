import { stackConfig } from '../src/config';
import { APPS, appEnv, metricsUrls } from '../src/apps';
import { localEndpoints } from '../src/infra';
import { generateSecrets } from '../src/secrets';

describe('stack configuration', () => {
  it('uses DESIGN.md’s default ports and <repo>/.data', () => {
    const c = stackConfig({}, '/repo');
    expect(c.ports).toEqual({ nats: 4222, natsMonitor: 8222, temporal: 7233, temporalUi: 8233, mongo: 27017, http: 8080, codec: 8089, jaeger: 16686, otlp: 4318 });
    expect(c.dataDir).toBe('/repo/.data');
  });

  it('takes ports and the data dir from the environment', () => {
    const c = stackConfig({ NATS_PORT: '14222', MONGO_PORT: '17017', HTTP_PORT: '18080', LIFELINE_DATA_DIR: '/tmp/x' }, '/repo');
    expect(c.ports.nats).toBe(14222);
    expect(c.ports.mongo).toBe(17017);
    expect(c.ports.http).toBe(18080);
    expect(c.dataDir).toBe('/tmp/x');
  });

  it('rejects a port that is not a port', () => {
    expect(() => stackConfig({ TEMPORAL_PORT: 'seven' }, '/repo')).toThrow(/TEMPORAL_PORT/);
    expect(() => stackConfig({ NATS_PORT: '70000' }, '/repo')).toThrow(/NATS_PORT/);
  });
});

describe('app environment', () => {
  const config = stackConfig({}, '/repo');
  const endpoints = localEndpoints(config, generateSecrets());
  const app = (name: string) => APPS.find((a) => a.name === name)!;

  it('gives each process its own NATS user and password', () => {
    const env = appEnv(app('supplies'), config, endpoints);
    expect(env.NATS_USER).toBe('supplies');
    expect(env.NATS_PASSWORD).toBe(endpoints.secrets.nats.supplies);
    expect(appEnv(app('bridge'), config, endpoints).NATS_USER).toBe('bridge');
  });

  it('assigns command-center 8080 and the services 8081-8084', () => {
    const ports = Object.fromEntries(APPS.map((a) => [a.name, appEnv(a, config, endpoints).HTTP_PORT]));
    expect(ports).toMatchObject({ 'command-center': '8080', supplies: '8081', personnel: '8082', notification: '8083', incentives: '8084' });
    expect(ports.worker).toBeUndefined();
  });

  it('gives the worker and the bridge, which serve no HTTP, metrics ports 8085 and 8086; the others serve /metrics on their HTTP port', () => {
    const ports = Object.fromEntries(APPS.map((a) => [a.name, appEnv(a, config, endpoints).METRICS_PORT]));
    expect(ports).toEqual({ supplies: undefined, personnel: undefined, notification: undefined, incentives: undefined, worker: '8085', bridge: '8086', 'command-center': undefined });
    expect(metricsUrls(8080, 8089)).toEqual({
      supplies: 'http://127.0.0.1:8081/metrics',
      personnel: 'http://127.0.0.1:8082/metrics',
      notification: 'http://127.0.0.1:8083/metrics',
      incentives: 'http://127.0.0.1:8084/metrics',
      worker: 'http://127.0.0.1:8085/metrics',
      bridge: 'http://127.0.0.1:8086/metrics',
      'command-center': 'http://127.0.0.1:8080/metrics',
      'codec-server': 'http://127.0.0.1:8089/metrics',
    });
    // No two processes share a port, and none takes the codec server's.
    const all = Object.values(metricsUrls(8080, 8089));
    expect(new Set(all).size).toBe(all.length);
  });

  it('shares the stack secrets and endpoints', () => {
    const env = appEnv(app('command-center'), config, endpoints);
    expect(env).toMatchObject({
      NATS_URL: 'nats://127.0.0.1:4222',
      MONGO_URL: 'mongodb://127.0.0.1:27017',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      LIFELINE_TOKEN_SECRET: endpoints.secrets.tokenSecret,
      LIFELINE_PII_KEY: endpoints.secrets.piiKey,
    });
  });
});
