import { MongoClient } from 'mongodb';
import { Client, Connection } from '@temporalio/client';
import type { Role } from '@lifeline/contracts';
import { connectNats, type NatsConnection } from '@lifeline/platform';
import type { StackEndpoints } from '@lifeline/local-stack';
import { signToken } from '@lifeline/cli';

/** What a figure gets: the stack's endpoints and one client of each kind, shared by the figures of one stack. */
/** A city's size: communities and residents. */
export interface CitySize {
  communities: number;
  residents: number;
}

export interface BenchContext {
  quick: boolean;
  /** `--city`: the city-wide figure's city instead of the quick or full one. */
  city?: CitySize | undefined;
  endpoints: StackEndpoints;
  nc: NatsConnection;
  /** Read-only use of the services' own databases (and the bench's own `lifeline_bench`). */
  mongo: MongoClient;
  /** Plain Temporal client (describe, list, terminate: nothing that needs the payload codec). */
  temporal: Client;
  http<T = unknown>(method: string, path: string, role: Role, body?: unknown): Promise<{ status: number; body: T }>;
  log(line: string): void;
  /** Data seeded once per stack and shared by the figures that run on it (e.g. the bench city). */
  fixtures: Map<string, Promise<unknown>>;
}

export async function openContext(endpoints: StackEndpoints, quick: boolean, log: (line: string) => void, city?: CitySize): Promise<BenchContext & { close(): Promise<void> }> {
  const nc = await connectNats({ NATS_URL: endpoints.natsUrl, NATS_USER: 'admin', NATS_PASSWORD: endpoints.secrets.nats.admin }, 'lifeline-bench');
  const mongo = await MongoClient.connect(endpoints.mongoUrl);
  const connection = await Connection.connect({ address: endpoints.temporalAddress });
  const temporal = new Client({ connection, namespace: endpoints.temporalNamespace });
  const tokens = new Map<Role, string>();
  const token = (role: Role) => {
    if (!tokens.has(role)) tokens.set(role, signToken(endpoints.secrets.tokenSecret, `bench:${role}`, role, 24 * 3600));
    return tokens.get(role)!;
  };
  return {
    quick,
    city,
    endpoints,
    nc,
    mongo,
    temporal,
    log,
    fixtures: new Map(),
    async http<T>(method: string, path: string, role: Role, body?: unknown) {
      const res = await fetch(`${endpoints.httpUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token(role)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
    },
    async close() {
      await nc.close().catch(() => undefined);
      await mongo.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}
