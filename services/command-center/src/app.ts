import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { lifelineDataConverter } from '@lifeline/platform/codec';
import { createTokenVerifier, identitySettings, observeIncidentPhases, runService } from '@lifeline/platform';
import { CommandCenterEnv, temporalUiUrl } from './config';
import { AuditLog } from './audit';
import { registerRoutes } from './http';
import { Incidents } from './incidents';
import { auditModel } from './model/audit';
import { incidentModel } from './model/incident';
import { planModel } from './model/plan';
import { rateWindowModel } from './model/rate-window';
import { Plans } from './plans';
import { SharedWindowStore } from './rate-limit';
import { systemStatus } from './status';

/**
 * The command-center: the operators' HTTP API and console over a Temporal client, NATS and its own store. It answers
 * no NATS endpoints of its own, so the runtime registers no NATS service for it; the Temporal connection closes
 * after NATS drains, as before.
 */
export const start = () =>
  runService({
    name: 'command-center',
    description: "The operators' door: plans, incidents, commands, reports and the console.",
    endpoints: {},
    config: CommandCenterEnv,
    build: async (ctx) => {
      const { config, db, nc, vault } = ctx;
      const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
      const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] }, dataConverter: lifelineDataConverter() });
      // Metric lifeline.incidents{phase}: running incident workflows per phase, from Temporal visibility.
      observeIncidentPhases(async (phase) => (await client.workflow.count(`WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running' AND LifelinePhase = '${phase}'`)).count);

      const identity = identitySettings(config);
      const verifier = createTokenVerifier(identity);
      ctx.log.info({ devTokens: identity.devTokens, oidcIssuer: identity.oidc?.issuer ?? null, rolesClaim: identity.oidc?.rolesClaim }, 'identity');
      const plans = new Plans(planModel(db));
      const index = incidentModel(db);
      const audit = new AuditLog(auditModel(db), vault);
      const rateStore = new SharedWindowStore(rateWindowModel(db), {
        keyOf: (key) => vault.blindIndex(key),
        timeoutMs: config.RATE_LIMIT_STORE_TIMEOUT_MS,
        warn: (err) => ctx.log.warn({ err }, 'the shared rate-limit count failed: counting in this process until it answers'),
      });
      // The plan library is installed before HTTP answers, and installing relies on the plans' unique index.
      await Promise.all(Object.values(db.models).map((m) => m.init()));
      ctx.log.info({ plansInstalled: await plans.installLibrary() }, 'plan library installed');

      const temporal = () => connection.workflowService.getSystemInfo({}).then(() => true, () => false);
      const health = async () => ({ store: await db.db!.admin().ping().then(() => true, () => false), nats: !nc.isClosed(), temporal: await temporal() });
      return {
        handlers: {},
        health: { temporal },
        routes: (app) =>
          registerRoutes(app, {
            incidents: new Incidents(client, index, plans),
            plans,
            audit,
            db,
            rateStore,
            nc,
            verifier,
            temporalUiUrl: temporalUiUrl(config),
            ...(config.TRACES_URL ? { tracesUrl: config.TRACES_URL.replace(/\/+$/, '') } : {}),
            temporalAddress: config.TEMPORAL_ADDRESS,
            mutationsPerMinute: config.RATE_LIMIT_PER_MINUTE,
            livePollMs: config.LIVE_POLL_MS,
            namespace: config.TEMPORAL_NAMESPACE,
            health,
            status: () => systemStatus({ nc, temporal: connection, namespace: config.TEMPORAL_NAMESPACE, health }),
          }),
        dispose: () => connection.close(),
      };
    },
  });
