/** The workflow bridge: personnel task events on JetStream → `taskProgress` signals. */
import { startTelemetry, stopTelemetry } from '@lifeline/platform/telemetry';
startTelemetry('lifeline-bridge');

import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { lifelineDataConverter } from '@lifeline/platform/codec';
import { connectNats, createLogger, loadConfig } from '@lifeline/platform';
import { WorkerEnv } from './config';
import { runBridge } from './signal-bridge';

async function main() {
  const config = loadConfig(WorkerEnv);
  const log = createLogger('lifeline-bridge', config.LOG_LEVEL);
  const nc = await connectNats(config, 'lifeline-bridge');
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  // The client interceptor carries the signal's span (parented on the event's trace) into the workflow.
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] }, dataConverter: lifelineDataConverter() });
  const bridge = await runBridge({ nc, client, log });
  log.info({ consumer: 'workflow-bridge' }, 'bridge ready');

  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping');
    await bridge.stop();
    await nc.drain();
    await connection.close();
    await stopTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await bridge.done;
}

main().catch((err: unknown) => {
  createLogger('lifeline-bridge').fatal({ err }, 'bridge failed');
  process.exit(1);
});
