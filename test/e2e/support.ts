import jwt from 'jsonwebtoken';
import { MongoClient } from 'mongodb';
import { Client, Connection } from '@temporalio/client';
import { PHASES, type IncidentView, type PlanDocument, type Role } from '@lifeline/contracts';
import { connectNats, type NatsConnection } from '@lifeline/platform';
import { lifelineDataConverter } from '@lifeline/platform/codec';
import type { SyntheticCity } from '../../cli/src/seed/city';
import { sendCity } from '../../cli/src/seed/send';
import { readStackState } from '@lifeline/local-stack';

/** Endpoints the test harness exported for this run. */
export const env = {
  http: process.env.LIFELINE_HTTP_URL ?? 'http://127.0.0.1:8080',
  tokenSecret: process.env.LIFELINE_TOKEN_SECRET ?? '',
  mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
  temporal: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
};

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

/** Poll an incident until `done` says so or the time runs out (then fail with the last view). */
export async function waitForIncident(incidentId: string, done: (v: IncidentView) => boolean, timeoutMs = 150_000): Promise<IncidentView> {
  const deadline = Date.now() + timeoutMs;
  let last: HttpAnswer<IncidentView> | undefined;
  while (Date.now() < deadline) {
    last = await http<IncidentView>('GET', `/v1/incidents/${incidentId}`, 'auditor');
    if (last.status === 200 && done(last.body)) return last.body;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`incident ${incidentId} did not get there in time; last answer: ${JSON.stringify(last)}`);
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

export async function withNats<T>(fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connectNats({ NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', NATS_USER: process.env.NATS_USER, NATS_PASSWORD: process.env.NATS_PASSWORD }, 'e2e');
  try {
    return await fn(nc);
  } finally {
    await nc.close();
  }
}

/**
 * Load a big city in slices: the services upsert with bulk writes, which on FerretDB take long enough for
 * thousands of documents that one request would time out (and hundreds of unit upserts in one bulk write have
 * locked the store), so 50 documents a request. Units go first (people and residents name them).
 */
export async function sendCityInSlices(nc: NatsConnection, city: SyntheticCity, size = 50): Promise<{ people: number; residents: number }> {
  const empty: SyntheticCity = { units: [], people: [], residents: [], depots: [], items: city.items, lots: [] };
  const slices = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  for (const units of slices(city.units)) await sendCity(nc, { ...empty, units });
  for (const depots of slices(city.depots)) await sendCity(nc, { ...empty, depots });
  for (const lots of slices(city.lots)) await sendCity(nc, { ...empty, lots });
  for (const people of slices(city.people)) await sendCity(nc, { ...empty, people });
  for (const residents of slices(city.residents)) await sendCity(nc, { ...empty, residents });
  return { people: city.people.length, residents: city.residents.length };
}

/**
 * A big drill city trimmed to what a plan's drill touches, so it loads in minutes on FerretDB (upserts of existing
 * documents take ~0.1 s each there): units down to communities (no grids or buildings) and only the responders
 * whose roles the plan dispatches. Residents and stock stay whole.
 */
export function drillCity(city: SyntheticCity, plan: PlanDocument): SyntheticCity {
  const roles = new Set(PHASES.flatMap((phase) => plan.phases[phase]).flatMap((step) => (step.kind === 'dispatch' ? [step.role] : [])));
  const levels = new Set(['district', 'sub-district', 'community']);
  return { ...city, units: city.units.filter((u) => levels.has(u.level)), people: city.people.filter((p) => roles.has(p.type)) };
}

/**
 * Every resident the simulated gateway transmitted to for an incident step (one entry per transmission, so a resident
 * messaged twice appears twice): notification records each gateway call with the residents it reached.
 */
export async function reachedAtGateway(mongo: MongoClient, incidentId: string, stepId: string): Promise<string[]> {
  const calls = await mongo.db('lifeline_notification').collection<{ recipients: string }>('gateway_calls').find({ incidentId, stepId }, { projection: { recipients: 1 } }).toArray();
  return calls.flatMap((c) => c.recipients.split(' '));
}

/** Kill a process of the harness's stack without warning (SIGKILL), as a crash would. */
export async function killHard(name: string): Promise<void> {
  const state = (await readStackState()).find((c) => c.name === name);
  if (!state?.pid) throw new Error(`${name} is not running under the harness`);
  process.kill(state.pid, 'SIGKILL');
}
