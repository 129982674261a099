/**
 * One-shot initialisation of a production-shaped stack (compose `lifeline-init`, the k8s `lifeline-init` Job):
 * JetStream streams with the configured replication factor, and Lifeline's Temporal search attributes.
 * Idempotent: safe to run on every deploy.
 */
import { startTelemetry, stopTelemetry } from '@lifeline/platform/telemetry';
startTelemetry('lifeline-init');

import { BaseEnv, connectNats, createLogger, ensureStreams, loadConfig } from '@lifeline/platform';
import { ensureSearchAttributes } from '@lifeline/local-stack/temporal';

/** Settings beyond NATS: where Temporal is and the JetStream replication factor (1 to 5). */
function initConfig(env: NodeJS.ProcessEnv = process.env) {
  const replicas = Number(env.NATS_STREAM_REPLICAS ?? '1');
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new Error(`NATS_STREAM_REPLICAS must be 1-5, got "${env.NATS_STREAM_REPLICAS}"`);
  return {
    ...loadConfig(BaseEnv, env),
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE || 'default',
    NATS_STREAM_REPLICAS: replicas,
  };
}

async function main() {
  const config = initConfig();
  const log = createLogger('lifeline-init', config.LOG_LEVEL);
  const nc = await connectNats(config, 'lifeline-init');
  try {
    await ensureStreams(nc, { replicas: config.NATS_STREAM_REPLICAS });
    log.info({ replicas: config.NATS_STREAM_REPLICAS }, 'JetStream streams ready');
  } finally {
    await nc.drain();
  }
  await ensureSearchAttributes(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  log.info({ namespace: config.TEMPORAL_NAMESPACE }, 'Temporal search attributes ready');
  await stopTelemetry();
}

main().catch((err: unknown) => {
  createLogger('lifeline-init').fatal({ err }, 'init failed');
  process.exit(1);
});
