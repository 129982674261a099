import path from 'node:path';

/** The repository root (deploy/local/src → three levels up). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Ports and folders of one local stack, all overridable by environment. */
export interface StackConfig {
  repoRoot: string;
  dataDir: string;
  ports: {
    nats: number;
    natsMonitor: number;
    temporal: number;
    temporalUi: number;
    mongo: number;
    /** command-center HTTP and console */
    http: number;
    /** the codec server the Temporal UI decodes payloads with */
    codec: number;
  };
  logLevel: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  return value;
}

/** Reads the stack's configuration from the environment; defaults are DESIGN.md §5's ports and `<repo>/.data`. */
export function stackConfig(env: NodeJS.ProcessEnv = process.env, repoRoot: string = REPO_ROOT): StackConfig {
  return {
    repoRoot,
    dataDir: path.resolve(repoRoot, env.LIFELINE_DATA_DIR || '.data'),
    ports: {
      nats: port(env, 'NATS_PORT', 4222),
      natsMonitor: port(env, 'NATS_MONITOR_PORT', 8222),
      temporal: port(env, 'TEMPORAL_PORT', 7233),
      temporalUi: port(env, 'TEMPORAL_UI_PORT', 8233),
      mongo: port(env, 'MONGO_PORT', 27017),
      http: port(env, 'HTTP_PORT', 8080),
      codec: port(env, 'CODEC_PORT', 8089),
    },
    logLevel: env.LOG_LEVEL || 'info',
  };
}
