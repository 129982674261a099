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
    /** Jaeger's query service: trace search, UI and HTTP API (with tracing on) */
    jaeger: number;
    /** Jaeger's OTLP/HTTP receiver, where every process sends its spans (with tracing on) */
    otlp: number;
  };
  /**
   * Start Jaeger and have every process export its spans to it: on unless `LIFELINE_TRACING=0` (`lifeline up
   * --no-tracing`). Measured cheap enough to leave on (README, "Traces").
   */
  tracing: boolean;
  logLevel: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new Error(`${name} must be 1 or 0 (true/false, on/off), got "${env[name]}"`);
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
      jaeger: port(env, 'JAEGER_PORT', 16686),
      otlp: port(env, 'OTLP_PORT', 4318),
    },
    tracing: flag(env, 'LIFELINE_TRACING', true),
    logLevel: env.LOG_LEVEL || 'info',
  };
}
