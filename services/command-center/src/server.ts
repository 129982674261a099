import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { lifelineDataConverter } from '@lifeline/platform/codec';
import { connectMongo, connectNats, createHttpApp, createLogger, finishHttpApp, listen, observeIncidentPhases, stopTelemetry } from '@lifeline/platform';
import { loadCommandCenterConfig, temporalUiUrl } from './config';
import { registerRoutes } from './http';
import { Incidents } from './incidents';
import { auditModel } from './model/audit';
import { incidentModel } from './model/incident';
import { planModel } from './model/plan';
import { Plans } from './plans';
import { systemStatus } from './status';

/** Wire the command-center: store, Temporal client, NATS, plan library, HTTP. */
export async function start(): Promise<void> {
  const config = loadCommandCenterConfig();
  const log = createLogger('command-center', config.LOG_LEVEL);
  const db = await connectMongo(config.MONGO_URL, 'lifeline_command_center');
  const nc = await connectNats(config, 'command-center');
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] }, dataConverter: lifelineDataConverter() });
  // Metric lifeline.incidents{phase}: running incident workflows per phase, from Temporal visibility.
  observeIncidentPhases(async (phase) => (await client.workflow.count(`WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running' AND LifelinePhase = '${phase}'`)).count);

  const plans = new Plans(planModel(db));
  const index = incidentModel(db);
  const audit = auditModel(db);
  await Promise.all(Object.values(db.models).map((m) => m.init()));
  const installed = await plans.installLibrary();

  const health = async () => ({
    store: await db.db!.admin().ping().then(() => true, () => false),
    nats: !nc.isClosed(),
    temporal: await connection.workflowService.getSystemInfo({}).then(() => true, () => false),
  });
  const app = createHttpApp();
  registerRoutes(app, {
    incidents: new Incidents(client, index, plans),
    plans,
    audit,
    nc,
    tokenSecret: config.LIFELINE_TOKEN_SECRET,
    temporalUiUrl: temporalUiUrl(config),
    mutationsPerMinute: config.RATE_LIMIT_PER_MINUTE,
    livePollMs: config.LIVE_POLL_MS,
    namespace: config.TEMPORAL_NAMESPACE,
    health,
    status: () => systemStatus({ nc, temporal: connection, namespace: config.TEMPORAL_NAMESPACE, health }),
  });
  finishHttpApp(app, log);
  const server = await listen(app, config.HTTP_PORT, config.HTTP_HOST);
  log.info({ port: config.HTTP_PORT, plansInstalled: installed }, 'command-center ready');

  const shutdown = async () => {
    server.close();
    await nc.drain();
    await connection.close();
    await db.close();
    await stopTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}
