import fs from 'node:fs';
import type { NatsSettings } from '@lifeline/platform';
import { stackConfig } from './config';
import { loadOrCreateSecrets, secretsPath, type StackSecrets } from './secrets';

/** Secrets of the local stack if one was ever started here; never creates them. */
export function existingSecrets(env: NodeJS.ProcessEnv = process.env): StackSecrets | undefined {
  const { dataDir } = stackConfig(env);
  return fs.existsSync(secretsPath(dataDir)) ? loadOrCreateSecrets(dataDir) : undefined;
}

/** NATS settings of the admin user: the environment first (NATS_URL, NATS_USER, NATS_PASSWORD), else the local stack's. */
export function adminNatsSettings(env: NodeJS.ProcessEnv = process.env): NatsSettings {
  return {
    NATS_URL: env.NATS_URL ?? `nats://127.0.0.1:${stackConfig(env).ports.nats}`,
    NATS_USER: env.NATS_USER ?? 'admin',
    NATS_PASSWORD: env.NATS_PASSWORD ?? existingSecrets(env)?.nats.admin,
  };
}
