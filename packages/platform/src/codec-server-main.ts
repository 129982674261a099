/** Entry point of the codec server process (`node --import tsx packages/platform/src/codec-server-main.ts`). */
import { startTelemetry, stopTelemetry } from './telemetry';
startTelemetry('lifeline-codec-server');

import { z } from 'zod';
import { codecFromEnv } from './codec';
import { CODEC_ACCESS_MODES } from './codec-access';
import { createCodecApp } from './codec-server';
import { BaseEnv, loadConfig } from './config';
import { createTokenVerifier, IdentityEnv, identityRules, identitySettings } from './identity';
import { listen } from './http';
import { createLogger } from './logger';

const CodecServerEnv = z.object({
  /** The same token settings as the command-center: development tokens and the OIDC issuer (identity/). */
  ...IdentityEnv.shape,
  LIFELINE_SANDBOX: BaseEnv.shape.LIFELINE_SANDBOX,
  CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8089),
  HTTP_HOST: z.string().default('127.0.0.1'),
  /** Comma-separated browser origins allowed to call (the Temporal UI). */
  CODEC_CORS_ORIGINS: z.string().default('http://127.0.0.1:8233,http://localhost:8233'),
  /** `token`: an administrator's bearer token on every request; `loopback` (local stack): also the UI's page on this machine. */
  CODEC_ACCESS: z.enum(CODEC_ACCESS_MODES).default('token'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
}).superRefine(identityRules);

async function main() {
  const config = loadConfig(CodecServerEnv);
  const log = createLogger('codec-server', config.LOG_LEVEL);
  const codec = codecFromEnv();
  const allowedOrigins = config.CODEC_CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  const app = createCodecApp({ codec, mode: config.CODEC_ACCESS, verifier: createTokenVerifier(identitySettings(config)), allowedOrigins, log });
  const server = await listen(app, config.CODEC_PORT, config.HTTP_HOST);
  log.info({ port: config.CODEC_PORT, host: config.HTTP_HOST, access: config.CODEC_ACCESS, keyId: codec.currentKeyId, allowedOrigins }, 'codec server ready');
  const stop = async () => {
    server.close();
    await stopTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  createLogger('codec-server').fatal({ err }, 'codec server failed');
  process.exit(1);
});
