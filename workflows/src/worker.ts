/** The incident worker: polls TASK_QUEUE, runs the workflows and the NATS activities. */
import { startTelemetry, stopTelemetry } from '@lifeline/platform/telemetry';
// METRICS_PORT is served by Temporal's runtime (its worker-slot metrics), not by our exporter.
startTelemetry('lifeline-worker', { metricsServer: false });

import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { TASK_QUEUE } from '@lifeline/contracts';
import { connectNats, createLogger, loadConfig } from '@lifeline/platform';
import { lifelineDataConverter } from '@lifeline/platform/codec';
import { temporalRuntimeMetrics } from '@lifeline/platform/telemetry-temporal';
import { createActivities } from './activities';
import { WorkerEnv } from './config';
import { workerTracing } from './telemetry';

async function main() {
  const config = loadConfig(WorkerEnv);
  const log = createLogger('lifeline-worker', config.LOG_LEVEL);
  // We drain NATS and flush spans ourselves after the worker stops, so the runtime must not exit on signals first.
  Runtime.install({ shutdownSignals: [], ...temporalRuntimeMetrics() });
  const nc = await connectNats(config, 'lifeline-worker');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: TASK_QUEUE,
    // The container image prebuilds the bundle (deploy/image/bundle-workflows.ts) and points LIFELINE_WORKFLOW_BUNDLE at it.
    ...(process.env.LIFELINE_WORKFLOW_BUNDLE ? { workflowBundle: { codePath: process.env.LIFELINE_WORKFLOW_BUNDLE } } : { workflowsPath: require.resolve('./workflows') }),
    // Payloads (inputs, results, signals, queries) are encrypted before they reach Temporal's history.
    dataConverter: lifelineDataConverter(),
    activities: createActivities({ nc, maxInFlightPerService: config.WORKER_MAX_IN_FLIGHT_PER_SERVICE, requestTimeoutMs: config.WORKER_REQUEST_TIMEOUT_MS }),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    ...workerTracing('lifeline-worker'),
  });

  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  const running = worker.run();
  while (worker.getState() === 'INITIALIZED') await new Promise((resolve) => setTimeout(resolve, 20));
  log.info({ taskQueue: TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, temporal: config.TEMPORAL_ADDRESS }, 'worker ready');
  await running;
  await nc.drain();
  await connection.close();
  await stopTelemetry();
  log.info('worker stopped');
}

main().catch((err: unknown) => {
  createLogger('lifeline-worker').fatal({ err }, 'worker failed');
  process.exit(1);
});
