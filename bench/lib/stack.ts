import fs from 'node:fs';
import { chooseProvider, localProvider, stackConfig, stopRecordedStack, type RunningStack, type StackConfig, type StackEndpoints } from '@lifeline/local-stack';

/** The bench's own stack: its own data dir (git-ignored `.data-*`) and its own ports, so a developer's stack is never reused by accident. */
export const BENCH_STACK_ENV = {
  LIFELINE_DATA_DIR: '.data-bench',
  NATS_PORT: '24222',
  NATS_MONITOR_PORT: '28222',
  TEMPORAL_PORT: '27233',
  TEMPORAL_UI_PORT: '28233',
  MONGO_PORT: '27117',
  HTTP_PORT: '28080',
  CODEC_PORT: '28089',
  // No Jaeger: the figures stay comparable with earlier runs, and the developer's stack keeps Jaeger's ports
  // (exporting spans costs little: README, "Traces").
  LIFELINE_TRACING: '0',
} as const;

export interface BenchStack {
  endpoints: StackEndpoints;
  /** `--reuse`: a stack that was already running (only parts that were missing are started, and stopped at the end). */
  reused: boolean;
  stop(): Promise<void>;
}

/** The bench stack's configuration: BENCH_STACK_ENV over the environment's unrelated variables. */
export const benchStackConfig = (): StackConfig => stackConfig({ ...process.env, ...BENCH_STACK_ENV });

/**
 * Starts the bench's own stack from an empty data dir. Every figure's data would otherwise stay in FerretDB, whose
 * filters (all but `_id` and indexed equalities) scan whole collections: a second run would measure the first run's
 * million residents too. Anything a crashed earlier run left under the data dir is stopped first.
 */
export async function startOwnStack(log: (line: string) => void): Promise<BenchStack> {
  const config = benchStackConfig();
  await stopRecordedStack(config, log);
  fs.rmSync(config.dataDir, { recursive: true, force: true });
  const running: RunningStack = await localProvider(config).start({ apps: true, log });
  return { endpoints: running.endpoints, reused: false, stop: () => running.stop() };
}

/** `--reuse`: the stack the environment names (LIFELINE_DATA_DIR, *_PORT), as `lifeline up` started it. */
export async function reuseStack(log: (line: string) => void): Promise<BenchStack> {
  const running = await chooseProvider(process.env).start({ apps: true, log });
  return { endpoints: running.endpoints, reused: true, stop: () => running.stop() };
}
