import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import mongoose, { type Connection } from 'mongoose';
import { STREAMS } from '@lifeline/contracts';
import { decodeJson, type NatsConnection } from '@lifeline/platform';
import { connectAdmin, pollUntil, processArgs } from '@lifeline/testkit';

/** Helpers for personnel's integration tests against the real stack (started by jest's global setup). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export async function connect(name: string): Promise<{ nc: NatsConnection; db: Connection }> {
  const nc = await connectAdmin(name);
  const db = mongoose.createConnection(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017', { dbName: 'lifeline_personnel' });
  await db.asPromise();
  return { nc, db };
}

export const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100) => pollUntil(what, probe, { timeoutMs, everyMs });

/** A second personnel replica, as its own process, with its log output captured. */
export interface Replica {
  output: () => string;
  stop: () => Promise<void>;
}

export async function startReplica(extraEnv: Record<string, string> = {}): Promise<Replica> {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, processArgs('personnel'), {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      NATS_URL: process.env.NATS_URL,
      NATS_USER: process.env.NATS_USER,
      NATS_PASSWORD: process.env.NATS_PASSWORD,
      MONGO_URL: process.env.MONGO_URL,
      LIFELINE_PII_KEY: process.env.LIFELINE_PII_KEY,
      LOG_LEVEL: 'debug',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor('the personnel replica to be ready', async () => output.includes('personnel ready') || (child.exitCode !== null ? Promise.reject(new Error(`replica exited: ${output}`)) : false), 60_000);
  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The stack's own personnel log (`<data dir>/logs/personnel.log`), from the byte offset at creation on. */
export function stackLogTail(): () => string {
  const file = path.join(path.resolve(REPO_ROOT, process.env.LIFELINE_DATA_DIR || '.data'), 'logs', 'personnel.log');
  const start = fs.existsSync(file) ? fs.statSync(file).size : 0;
  return () => (fs.existsSync(file) ? fs.readFileSync(file).subarray(start).toString() : '');
}

/** Every personnel event published from now on, as raw text and parsed envelopes. */
export async function collectEvents(nc: NatsConnection): Promise<{ raw: () => string[]; envelopes: () => { subject: string; id: string; data: Record<string, unknown> }[]; stop: () => Promise<void> }> {
  const raw: string[] = [];
  const envelopes: { subject: string; id: string; data: Record<string, unknown> }[] = [];
  const consumer = await jetstream(nc).consumers.get(STREAMS.events.name, {
    filter_subjects: ['lifeline.evt.personnel.>'],
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(Date.now() - 1000).toISOString(),
  });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const m of messages) {
      raw.push(new TextDecoder().decode(m.data) + JSON.stringify(m.headers ? [...m.headers.keys()].map((k) => m.headers!.get(k)) : []));
      const env = decodeJson(m.data) as { id: string; data: Record<string, unknown> };
      envelopes.push({ subject: m.subject, id: env.id, data: env.data });
    }
  })();
  return {
    raw: () => raw,
    envelopes: () => envelopes,
    stop: async () => {
      await messages.close();
      await loop;
    },
  };
}
