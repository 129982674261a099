import { stackConfig } from '../src/config';
import { APPS, appEnv } from '../src/apps';
import { localEndpoints } from '../src/infra';
import { generateSecrets } from '../src/secrets';

describe('stack configuration', () => {
  it('uses DESIGN.md’s default ports and <repo>/.data', () => {
    const c = stackConfig({}, '/repo');
    expect(c.ports).toEqual({ nats: 4222, natsMonitor: 8222, temporal: 7233, temporalUi: 8233, mongo: 27017, http: 8080, codec: 8089 });
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
