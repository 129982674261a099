import type { Connection } from 'mongoose';
import { notification, type notificationContract, type RequestOf } from '@lifeline/contracts';
import { call, connectMongo, connectNats, decodeJson, encodeJson, loadConfig, PiiVault, ServiceEnv, type NatsConnection } from '@lifeline/platform';
import { decodeTransmissions } from '../src/channels';
import { resolveSheet, type Outcome } from '../src/domain/sheet';
import { pollUntil } from '@lifeline/testkit';

type BroadcastJob = notificationContract.BroadcastJob;
export type BroadcastRequest = RequestOf<typeof notification.broadcast>;

/** What every notification integration test holds: admin NATS, the service's own database, the vault. */
export interface Fixture {
  nc: NatsConnection;
  db: Connection;
  vault: PiiVault;
  close(): Promise<void>;
}

export async function openFixture(name: string, database = 'lifeline_notification'): Promise<Fixture> {
  const config = loadConfig(ServiceEnv);
  const nc = await connectNats(config, name);
  const db = await connectMongo(config.MONGO_URL, database);
  return {
    nc,
    db,
    vault: new PiiVault(config.LIFELINE_PII_KEY),
    async close() {
      await db.close();
      await nc.drain();
    },
  };
}

/** A community of residents: grid `g-${i % grids}`, building `b-${i % buildings}`, vulnerable when `vulnerable(i)`. */
export function residents(run: string, communityId: string, n: number, opts: { grids?: number; buildings?: number; vulnerable?: (i: number) => boolean } = {}) {
  const { grids = 3, buildings = 10, vulnerable = (i: number) => i % 7 === 0 } = opts;
  return Array.from({ length: n }, (_, i) => ({
    id: `r-${run}-${String(i).padStart(4, '0')}`,
    communityId,
    gridId: `g-${i % grids}`,
    buildingId: `b-${i % buildings}`,
    name: `李${i}`,
    phone: `137${String(i).padStart(8, '0')}`,
    address: `和平路${i}号`,
    language: i % 3 === 0 ? ('en' as const) : ('zh' as const),
    vulnerabilities: vulnerable(i) ? (['elderly-alone'] as ('elderly-alone' | 'disabled')[]) : [],
  }));
}

/** The job once it completed (a timeout names the job and its last figures). */
export const completed = (nc: NatsConnection, jobId: string, timeoutMs = 60_000): Promise<BroadcastJob> =>
  pollUntil(`job ${jobId} completes`, () => call(nc, notification.job, { jobId }), { timeoutMs, everyMs: 100, until: (job) => job.status === 'completed' });

/** Wait until `probe` answers something. */
export const eventually = <T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000) => pollUntil(what, probe, { timeoutMs, everyMs: 200 });

/** Send a raw request (no client-side validation) and return the service's reply envelope. */
export async function rawRequest(nc: NatsConnection, subject: string, body: unknown): Promise<{ ok: boolean; error?: { code: string; message: string; details?: { path: string }[] } }> {
  const reply = await nc.request(subject, encodeJson(body), { timeout: 15_000 });
  return decodeJson(reply.data) as never;
}

/** Every transmission the simulated gateway recorded for an incident (or one step of it), flattened per recipient. */
export async function gatewayRecords(db: Connection, incidentId: string, stepId?: string): Promise<{ residentId: string; channel: string; status: string; receiptId: string; at: Date; callKey: string }[]> {
  const calls = await db.collection<{ _id: string; channel: string; transmissions: string; at: Date }>('gateway_calls').find({ incidentId, ...(stepId ? { stepId } : {}) }).toArray();
  return calls.flatMap((c) => decodeTransmissions(c.transmissions).flatMap((t) => t.residentIds.map((residentId) => ({ residentId, channel: c.channel, status: t.answer.status, receiptId: t.answer.receiptId, at: c.at, callKey: c._id }))));
}

/** What the delivery sheets of one incident step say, one entry per resident claimed (from the service's own store). */
export async function stepDeliveries(db: Connection, incidentId: string, stepId: string): Promise<({ residentId: string; pageId: string; jobId: string } & Partial<Outcome>)[]> {
  const sheets = await db.collection<{ pageId: string; claims: string[]; outcomes: string[] }>('delivery_sheets').find({ incidentId, stepId }).toArray();
  return sheets.flatMap((sheet) => {
    const state = resolveSheet(sheet);
    return [...state.owners].map(([residentId, owner]) => ({ ...state.outcomes.get(residentId), residentId, pageId: sheet.pageId, jobId: owner.jobId }));
  });
}

export const countBy = <T>(xs: readonly T[], key: (x: T) => string) => xs.reduce<Map<string, number>>((m, x) => m.set(key(x), (m.get(key(x)) ?? 0) + 1), new Map());
