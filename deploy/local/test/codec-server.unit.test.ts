import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stackConfig } from '../src/config';
import { codecServerComponent, codecServerEnv, uiOrigins } from '../src/codec-server';
import { infraComponents, localEndpoints } from '../src/infra';
import { generateSecrets } from '../src/secrets';
import { COMPONENT_NAMES } from '../src/stack';

describe('the codec server in the local stack', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-codec-'));
  const config = stackConfig({ LIFELINE_DATA_DIR: dataDir, TEMPORAL_UI_PORT: '18233', CODEC_PORT: '18089' }, '/repo');
  const endpoints = localEndpoints(config, generateSecrets());
  const components = infraComponents(config, { natsServer: 'nats-server', temporal: 'temporal', ferretdb: 'ferretdb', jaeger: 'jaeger' }, endpoints);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('runs from its compiled bundle on its port, and `status`/`down` know it', () => {
    const codec = codecServerComponent(config, endpoints);
    expect(codec.spec).toMatchObject({ args: ['--enable-source-maps', 'dist/apps/codec-server.js'], cwd: '/repo', port: 18089 });
    expect(COMPONENT_NAMES).toContain('codec-server');
  });

  it('points the Temporal UI at it', () => {
    const temporal = components.find((c) => c.name === 'temporal')!;
    const flag = temporal.spec.args.indexOf('--ui-codec-endpoint');
    expect(temporal.spec.args[flag + 1]).toBe('http://127.0.0.1:18089/codec');
    expect(endpoints.codecUrl).toBe('http://127.0.0.1:18089/codec');
  });

  it('listens on loopback only, in loopback mode, for the UI’s origins, with the stack’s secrets', () => {
    expect(codecServerEnv(config, endpoints)).toEqual({
      CODEC_PORT: '18089',
      HTTP_HOST: '127.0.0.1',
      CODEC_ACCESS: 'loopback',
      CODEC_CORS_ORIGINS: 'http://127.0.0.1:18233,http://localhost:18233',
      LIFELINE_TOKEN_SECRET: endpoints.secrets.tokenSecret,
      LIFELINE_PII_KEY: endpoints.secrets.piiKey,
      LOG_LEVEL: 'info',
      // Its spans go to the stack's Jaeger like every process's (jaeger.unit.test.ts).
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_METRICS_EXPORTER: 'prometheus',
    });
  });

  it('lists a loopback UI under both of its names, any other UI under its own origin', () => {
    expect(uiOrigins('http://localhost:8233/')).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    expect(uiOrigins('https://temporal.lifeline.example/ui')).toEqual(['https://temporal.lifeline.example']);
  });
});
