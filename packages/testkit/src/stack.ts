import jwt from 'jsonwebtoken';
import { MongoClient } from 'mongodb';
import { Client, Connection } from '@temporalio/client';
import type { IncidentView, Role } from '@lifeline/contracts';
import { connectNats, type NatsConnection } from '@lifeline/platform';
import { lifelineDataConverter } from '@lifeline/platform/codec';
import { adminNatsSettings, bundleArgs, readStackState, type StackEndpoints } from '@lifeline/local-stack';
import { pollUntil } from './poll';

/** The environment variables through which integration tests find the running stack (admin NATS credentials). */
export function stackEnv(endpoints: StackEndpoints): Record<string, string> {
  return {
    NATS_URL: endpoints.natsUrl,
    NATS_USER: 'admin',
    NATS_PASSWORD: endpoints.secrets.nats.admin,
    NATS_MONITOR_URL: endpoints.natsMonitorUrl,
    MONGO_URL: endpoints.mongoUrl,
    TEMPORAL_ADDRESS: endpoints.temporalAddress,
    TEMPORAL_NAMESPACE: endpoints.temporalNamespace,
    LIFELINE_TEMPORAL_UI_URL: endpoints.temporalUiUrl,
    LIFELINE_CODEC_URL: endpoints.codecUrl,
    LIFELINE_HTTP_URL: endpoints.httpUrl,
    LIFELINE_TOKEN_SECRET: endpoints.secrets.tokenSecret,
    LIFELINE_PII_KEY: endpoints.secrets.piiKey,
    ...(endpoints.tracesUrl ? { LIFELINE_TRACES_URL: endpoints.tracesUrl } : {}),
  };
}

/** Inside a test: the stack's endpoints as exported by global setup. Fails clearly outside the integration project. */
export function testStack() {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run this test in jest's integration project (its global setup starts the stack)`);
    return value;
  };
  return {
    natsUrl: need('NATS_URL'),
    natsUser: need('NATS_USER'),
    natsPassword: need('NATS_PASSWORD'),
    natsMonitorUrl: need('NATS_MONITOR_URL'),
    mongoUrl: need('MONGO_URL'),
    temporalAddress: need('TEMPORAL_ADDRESS'),
    temporalNamespace: need('TEMPORAL_NAMESPACE'),
    temporalUiUrl: need('LIFELINE_TEMPORAL_UI_URL'),
    codecUrl: need('LIFELINE_CODEC_URL'),
    httpUrl: need('LIFELINE_HTTP_URL'),
    tokenSecret: need('LIFELINE_TOKEN_SECRET'),
    piiKey: need('LIFELINE_PII_KEY'),
    /** Jaeger's query service, when the stack runs with tracing on. */
    tracesUrl: process.env.LIFELINE_TRACES_URL,
  };
}

/** Endpoints the test harness exported for this run, with the local stack's default ports as fallbacks. */
export const env = {
  http: process.env.LIFELINE_HTTP_URL ?? 'http://127.0.0.1:8080',
  tokenSecret: process.env.LIFELINE_TOKEN_SECRET ?? '',
  mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
  temporal: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
};

/** A command-center token for `role` (HS256, the stack's secret, ten minutes). */
export const tokenFor = (role: Role, subject = `e2e-${role}`) => jwt.sign({ role }, env.tokenSecret, { algorithm: 'HS256', subject, issuer: 'lifeline', expiresIn: 600 });

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}

/** Call the command-center as `role` (or with no token when role is null). */
export async function http<T = unknown>(method: string, path: string, role: Role | null, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  const res = await fetch(`${env.http}${path}`, {
    method,
    headers: { ...(role ? { authorization: `Bearer ${tokenFor(role)}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/**
 * Publish a new plan as a commander and approve it as an admin: a published version is a draft, and incidents start
 * on the latest approved version only. Fails with the command-center's answer when either step is refused.
 */
export async function publishApprovedPlan(plan: unknown): Promise<{ id: string; version: number }> {
  const created = await http<{ plan: { id: string; version: number } }>('POST', '/v1/plans', 'commander', { plan });
  if (created.status !== 201) throw new Error(`publishing the plan answered ${created.status}: ${JSON.stringify(created.body)}`);
  const { id, version } = created.body.plan;
  const approved = await http('POST', `/v1/plans/${id}/versions/${version}/approve`, 'admin', {});
  if (approved.status !== 200) throw new Error(`approving ${id} v${version} answered ${approved.status}: ${JSON.stringify(approved.body)}`);
  return { id, version };
}

/** Poll an incident until `done` says so or the time runs out (then fail with the last view). */
export async function waitForIncident(incidentId: string, done: (v: IncidentView) => boolean, timeoutMs = 150_000): Promise<IncidentView> {
  const answer = await pollUntil(`incident ${incidentId} gets there`, () => http<IncidentView>('GET', `/v1/incidents/${incidentId}`, 'auditor'), {
    timeoutMs,
    everyMs: 500,
    until: (a) => a.status === 200 && done(a.body),
  });
  return answer.body;
}

export async function withMongo<T>(fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(env.mongoUrl);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export async function withTemporal<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: env.temporal });
  try {
    // The same payload codec as the command-center and the worker: queries and results are encrypted on the wire.
    return await fn(new Client({ connection, dataConverter: lifelineDataConverter() }));
  } finally {
    await connection.close();
  }
}

/** A NATS connection as the admin user: the harness's environment first, else the local stack's admin password. */
export function connectAdmin(name: string): Promise<NatsConnection> {
  return connectNats(adminNatsSettings(), name);
}

export async function withNats<T>(fn: (nc: NatsConnection) => Promise<T>, name = 'e2e'): Promise<T> {
  const nc = await connectAdmin(name);
  try {
    return await fn(nc);
  } finally {
    await nc.close();
  }
}

/**
 * Node's arguments for a second copy of one of the stack's processes, run from the repository root: its compiled
 * bundle, as the stack runs it (the harness has built it; deploy/local README, "Compiled processes").
 */
export const processArgs = (name: string): string[] => bundleArgs(name);

/** Kill a process of the harness's stack without warning (SIGKILL), as a crash would. */
export async function killHard(name: string): Promise<void> {
  const state = (await readStackState()).find((c) => c.name === name);
  if (!state?.pid) throw new Error(`${name} is not running under the harness`);
  process.kill(state.pid, 'SIGKILL');
}
