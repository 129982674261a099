import type { StackConfig } from './config';
import type { Component } from './components';
import type { StackEndpoints } from './endpoints';
import { httpOk } from './checks';
import { tracingEnv } from './jaeger';
import { bundleArgs, bundleFile } from './bundles';

/** The codec server's entry file (compiled with the apps, build.ts). */
export const CODEC_SERVER_ENTRY = 'packages/platform/src/codec-server-main.ts';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost'];

/**
 * The browser origins of the Temporal UI at `uiUrl`. On loopback, `127.0.0.1` and `localhost` are the same page
 * under two origins (the README links one, a developer may type the other), so both are listed.
 */
export function uiOrigins(uiUrl: string): string[] {
  const url = new URL(uiUrl);
  if (!LOOPBACK_NAMES.includes(url.hostname)) return [url.origin];
  return LOOPBACK_NAMES.map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
}

/**
 * The environment of the local codec server: bound to loopback, in `loopback` access mode (the UI's page on this
 * machine decodes without a token; anyone else needs an administrator's token), CORS for the UI's origins only.
 */
export function codecServerEnv(config: StackConfig, endpoints: StackEndpoints): NodeJS.ProcessEnv {
  return {
    CODEC_PORT: String(new URL(endpoints.codecUrl).port),
    HTTP_HOST: '127.0.0.1',
    CODEC_ACCESS: 'loopback',
    CODEC_CORS_ORIGINS: uiOrigins(endpoints.temporalUiUrl).join(','),
    LIFELINE_TOKEN_SECRET: endpoints.secrets.tokenSecret,
    LIFELINE_PII_KEY: endpoints.secrets.piiKey,
    LOG_LEVEL: config.logLevel,
    ...tracingEnv(endpoints),
  };
}

/** The codec server as a stack component; ready when its `/healthz` answers 200. */
export function codecServerComponent(config: StackConfig, endpoints: StackEndpoints): Component {
  const port = Number(new URL(endpoints.codecUrl).port);
  return {
    name: 'codec-server',
    kind: 'infra',
    spec: {
      name: 'codec-server',
      command: process.execPath,
      args: bundleArgs('codec-server'),
      cwd: config.repoRoot,
      env: codecServerEnv(config, endpoints),
      marker: bundleFile('codec-server'),
      port,
    },
    ready: () => httpOk(new URL('/healthz', endpoints.codecUrl).href),
  };
}
