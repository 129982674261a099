/**
 * Broadcast throughput against a running stack (not a test). As a CLI:
 *   node --import tsx services/notification/bench/broadcast.ts [residents=1000000] [naiveSample=2000] [--seed-only] [--seeded=<run>]
 * and as `runBroadcastBench(ctx, { residents, naiveSample, seeded })` for the root `npm run bench`.
 * Seeds N residents in a new community `bench-<run>` (or reuses those of an earlier `--seed-only` run: seeding a
 * million takes minutes), runs one drill broadcast through the work stream and the simulated gateway — request → last
 * message at the gateway — reads the gateway's record back (duplicates, vulnerable first), then sends a sample through
 * the naive path (a Temporal workflow with one activity per resident) and prints both rates. The broadcast's own
 * records are deleted afterwards (a few thousand documents); the seeded residents stay for the next run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection as MongoConnection } from 'mongoose';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { notification, type RequestOf } from '@lifeline/contracts';
import { call, connectMongo, connectNats, type NatsConnection } from '@lifeline/platform';
import { benchPhone, naiveActivities } from './naive-activities';

const SEED_CHUNK = 4_000;
const SEED_IN_FLIGHT = 3;
const VULNERABLE_EVERY = 9;
const GRIDS = 200;
const BUILDINGS = 2_000;
const NAIVE_QUEUE = 'notification-bench-naive';

/** What the bench needs of its caller (the root harness's context has these). */
export interface BroadcastBenchContext {
  nc: NatsConnection;
  endpoints: { mongoUrl: string; temporalAddress: string; temporalNamespace?: string };
  log?(line: string): void;
}

export interface BroadcastBenchOptions {
  residents: number;
  /** Residents sent through the naive path (0: skip it). */
  naiveSample: number;
  /** Reuse the residents of an earlier run (`seedOnly` answers its run id) instead of seeding. */
  seeded?: string;
  seedOnly?: boolean;
}

export interface BroadcastBenchResult {
  run: string;
  residents: number;
  /** Seconds seeding took (absent when seeded residents were reused). */
  seedSeconds?: number;
  seedPerSecond?: number;
  /** Broadcast request → last message at the gateway. */
  seconds: number;
  perSecond: number;
  sent: number;
  failed: number;
  transmissions: number;
  /** Transmissions beyond the first to the same resident. */
  duplicates: number;
  /** Every vulnerable resident reached no later than the first other resident. */
  vulnerableFirst: boolean;
  vulnerableShareFirst: number;
  /** Request → the broadcast answered, → every page queued, → first message, → last vulnerable message, → job completed. */
  answeredSeconds: number;
  cutSeconds: number;
  firstMessageSeconds: number;
  lastVulnerableSeconds: number;
  completedSeconds: number;
  pages: number;
  naiveSample: number;
  naivePerSecond?: number;
  ratio?: number;
  loadAverage: number[];
}

/**
 * The bench's city block: residents listed building by building, as a registry exports them (one in nine vulnerable),
 * 200 grids of 10 buildings.
 */
function chunk(run: string, communityId: string, residents: number, start: number, end: number): RequestOf<typeof notification.seed>['residents'] {
  return Array.from({ length: end - start }, (_, k) => {
    const i = start + k;
    const building = Math.floor((i * BUILDINGS) / residents);
    return {
      id: `r-${run}-${i}`,
      communityId,
      gridId: `g-${Math.floor((building * GRIDS) / BUILDINGS)}`,
      buildingId: `b-${building}`,
      name: `Resident ${i}`,
      phone: benchPhone(i),
      address: `Building ${building}, unit ${i}`,
      language: i % 5 === 0 ? ('en' as const) : ('zh' as const),
      vulnerabilities: i % VULNERABLE_EVERY === 0 ? ['elderly-alone' as const] : [],
    };
  });
}

const isVulnerable = (residentId: string) => Number(residentId.slice(residentId.lastIndexOf('-') + 1)) % VULNERABLE_EVERY === 0;

async function seed(ctx: BroadcastBenchContext, run: string, communityId: string, residents: number): Promise<number> {
  const started = performance.now();
  const starts = Array.from({ length: Math.ceil(residents / SEED_CHUNK) }, (_, k) => k * SEED_CHUNK);
  for (let k = 0; k < starts.length; k += SEED_IN_FLIGHT) {
    await Promise.all(starts.slice(k, k + SEED_IN_FLIGHT).map((s) => call(ctx.nc, notification.seed, { residents: chunk(run, communityId, residents, s, Math.min(residents, s + SEED_CHUNK)) }, { timeoutMs: 300_000 })));
    if ((k / SEED_IN_FLIGHT) % 25 === 0) ctx.log?.(`seeded ${Math.min(residents, (k + SEED_IN_FLIGHT) * SEED_CHUNK)} of ${residents} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return (performance.now() - started) / 1000;
}

interface GatewayCall {
  at: Date;
  recipients: string;
  sent: number;
  failed: number;
}

/** Who the gateway reached and when: duplicates, the last message, the vulnerable before anyone else. */
function gatewayOrder(calls: readonly GatewayCall[]) {
  const seen = new Set<string>();
  let transmissions = 0;
  let first = Infinity;
  let last = 0;
  let firstOther = Infinity;
  let lastVulnerable = 0;
  const vulnerableAt: number[] = [];
  for (const c of calls) {
    const at = new Date(c.at).getTime();
    first = Math.min(first, at);
    last = Math.max(last, at);
    for (const id of c.recipients.split(' ')) {
      transmissions++;
      if (seen.has(id)) continue;
      seen.add(id);
      if (isVulnerable(id)) {
        vulnerableAt.push(at);
        lastVulnerable = Math.max(lastVulnerable, at);
      } else firstOther = Math.min(firstOther, at);
    }
  }
  const early = vulnerableAt.filter((at) => at <= firstOther).length;
  return { transmissions, residents: seen.size, duplicates: transmissions - seen.size, first, last, lastVulnerable, vulnerableFirst: early === vulnerableAt.length, vulnerableShareFirst: vulnerableAt.length === 0 ? 1 : early / vulnerableAt.length };
}

async function broadcastOnce(ctx: BroadcastBenchContext, db: MongoConnection, run: string, communityId: string) {
  const incidentId = `bench-${run}`;
  const request = { idempotencyKey: `bench-${run}:warn:notify`, incidentId, stepId: 'warn-notify', communityId, audience: { groups: ['everyone' as const] }, channels: ['sms' as const], message: { zh: '台风预警：请留在室内。', en: 'Typhoon warning: stay indoors.' }, severity: 'II' as const, drill: true };
  const started = Date.now();
  const job = await call(ctx.nc, notification.broadcast, request, { timeoutMs: 60_000 });
  const answeredSeconds = (Date.now() - started) / 1000;
  ctx.log?.(`broadcast answered in ${answeredSeconds.toFixed(2)} s: job ${job.jobId}, ${job.total} recipients, ${job.status}`);
  let progress = job;
  let lastLog = Date.now();
  while (progress.status !== 'completed') {
    await sleep(200);
    progress = await call(ctx.nc, notification.job, { jobId: job.jobId }, { timeoutMs: 60_000 });
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      ctx.log?.(`${progress.sent} sent of ${progress.total} after ${progress.elapsedSeconds} s`);
    }
  }
  const completedSeconds = (Date.now() - started) / 1000;
  const stored = await db.collection<{ _id: string; queuedAt?: Date; pages: number }>('broadcast_jobs').findOne({ _id: job.jobId });
  const calls = await db.collection<GatewayCall>('gateway_calls').find({ incidentId }, { projection: { at: 1, recipients: 1, sent: 1, failed: 1 } }).toArray();
  const order = gatewayOrder(calls);
  if (order.transmissions === 0) throw new Error(`no message of ${incidentId} reached the gateway`);
  const since = (at: number) => (at - started) / 1000;
  return {
    incidentId,
    jobId: job.jobId,
    job: progress,
    order,
    answeredSeconds,
    cutSeconds: stored?.queuedAt ? since(stored.queuedAt.getTime()) : answeredSeconds,
    pages: stored?.pages ?? 0,
    seconds: since(order.last),
    firstMessageSeconds: since(order.first),
    lastVulnerableSeconds: since(order.lastVulnerable),
    completedSeconds,
  };
}

async function naivePath(ctx: BroadcastBenchContext, run: string, population: string, sample: number) {
  const connection = await NativeConnection.connect({ address: ctx.endpoints.temporalAddress });
  const client = new Client({ connection: await Connection.connect({ address: ctx.endpoints.temporalAddress }), namespace: ctx.endpoints.temporalNamespace ?? 'default' });
  try {
    // As many activities at once as the batch path has pages in flight and more: the store, not Temporal, is the limit.
    const worker = await Worker.create({ connection, namespace: ctx.endpoints.temporalNamespace ?? 'default', taskQueue: NAIVE_QUEUE, workflowsPath: require.resolve('./naive-workflow'), activities: naiveActivities(ctx.nc), maxConcurrentActivityTaskExecutions: 16 });
    const incidentId = `bench-naive-${run}`;
    const residentIds = Array.from({ length: sample }, (_, i) => `r-${population}-${i}`);
    const result = await worker.runUntil(async () => {
      const started = performance.now();
      const sent = (await client.workflow.execute('naiveBroadcast', { taskQueue: NAIVE_QUEUE, workflowId: `bench-naive-${run}`, args: [{ incidentId, residentIds }] })) as number;
      return { sent, seconds: (performance.now() - started) / 1000 };
    });
    return { incidentId, ...result };
  } finally {
    await connection.close();
  }
}

/** The broadcast's own records (a few per page); the seeded residents and their pages stay for the next run. */
async function cleanUp(db: MongoConnection, jobId: string, incidents: string[]): Promise<void> {
  for (const incidentId of incidents) {
    for (const name of ['delivery_sheets', 'gateway_calls', 'direct_messages', 'broadcast_jobs']) await db.collection(name).deleteMany({ incidentId });
  }
  await db.collection('broadcast_tallies').deleteMany({ jobId });
}

export async function runBroadcastBench(ctx: BroadcastBenchContext, options: BroadcastBenchOptions): Promise<BroadcastBenchResult> {
  const run = randomUUID().slice(0, 8);
  const population = options.seeded ?? run;
  const communityId = `bench-${population}`;
  const seedSeconds = options.seeded ? undefined : await seed(ctx, population, communityId, options.residents);
  if (seedSeconds !== undefined) ctx.log?.(`seeded ${options.residents} residents of ${communityId} in ${seedSeconds.toFixed(1)} s (run again with --seeded=${population})`);
  else ctx.log?.(`using the residents seeded earlier in ${communityId}`);
  const base = { run: population, residents: options.residents, ...(seedSeconds === undefined ? {} : { seedSeconds: round(seedSeconds), seedPerSecond: Math.round(options.residents / seedSeconds) }) };
  if (options.seedOnly) return { ...base, seconds: 0, perSecond: 0, sent: 0, failed: 0, transmissions: 0, duplicates: 0, vulnerableFirst: true, vulnerableShareFirst: 1, answeredSeconds: 0, cutSeconds: 0, firstMessageSeconds: 0, lastVulnerableSeconds: 0, completedSeconds: 0, pages: 0, naiveSample: 0, loadAverage: os.loadavg() };
  const loadBefore = os.loadavg();
  const db = await connectMongo(ctx.endpoints.mongoUrl, 'lifeline_notification');
  try {
    const b = await broadcastOnce(ctx, db, run, communityId);
    const perSecond = b.job.sent / b.seconds;
    ctx.log?.(`${b.job.sent} sent in ${b.seconds.toFixed(1)} s (${Math.round(perSecond)} msg/s), ${b.order.duplicates} duplicates, vulnerable first: ${b.order.vulnerableFirst}`);
    ctx.log?.(`answered ${b.answeredSeconds.toFixed(2)} s, queued ${b.cutSeconds.toFixed(2)} s, first message ${b.firstMessageSeconds.toFixed(2)} s, last vulnerable ${b.lastVulnerableSeconds.toFixed(2)} s, last message ${b.seconds.toFixed(2)} s, completed ${b.completedSeconds.toFixed(2)} s; ${b.pages} pages, ${b.order.transmissions} transmissions`);
    const sample = Math.min(options.naiveSample, options.residents);
    const naive = sample > 0 ? await naivePath(ctx, run, population, sample) : undefined;
    const naivePerSecond = naive ? naive.sent / naive.seconds : undefined;
    await cleanUp(db, b.jobId, [b.incidentId, ...(naive ? [naive.incidentId] : [])]).catch((err: unknown) => ctx.log?.(`bench records of run ${run} left in place: ${(err as Error).message.slice(0, 160)}`));
    return {
      ...base,
      seconds: round(b.seconds),
      perSecond: Math.round(perSecond),
      sent: b.job.sent,
      failed: b.job.failed,
      transmissions: b.order.transmissions,
      duplicates: b.order.duplicates,
      vulnerableFirst: b.order.vulnerableFirst,
      vulnerableShareFirst: b.order.vulnerableShareFirst,
      answeredSeconds: round(b.answeredSeconds),
      cutSeconds: round(b.cutSeconds),
      firstMessageSeconds: round(b.firstMessageSeconds),
      lastVulnerableSeconds: round(b.lastVulnerableSeconds),
      completedSeconds: round(b.completedSeconds),
      pages: b.pages,
      naiveSample: sample,
      ...(naivePerSecond === undefined ? {} : { naivePerSecond: round(naivePerSecond), ratio: round(perSecond / naivePerSecond) }),
      loadAverage: loadBefore.map(round),
    };
  } finally {
    await db.close();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/** The local stack's endpoints from the environment, else the defaults (admin password from the data dir). */
function localContext(nc: NatsConnection): BroadcastBenchContext {
  return {
    nc,
    endpoints: { mongoUrl: process.env.MONGO_URL ?? `mongodb://127.0.0.1:${process.env.MONGO_PORT ?? 27017}`, temporalAddress: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${process.env.TEMPORAL_PORT ?? 7233}` },
    log: (line) => process.stderr.write(`[bench] ${line}\n`),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const dataDir = process.env.LIFELINE_DATA_DIR ?? '.data';
  const secrets = fs.existsSync(path.join(dataDir, 'secrets.json')) ? (JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { nats: { admin: string } }) : undefined;
  const nc = await connectNats({ NATS_URL: process.env.NATS_URL ?? `nats://127.0.0.1:${process.env.NATS_PORT ?? 4222}`, NATS_USER: process.env.NATS_USER ?? 'admin', NATS_PASSWORD: process.env.NATS_PASSWORD ?? secrets?.nats.admin }, 'notification-bench');
  try {
    const seeded = process.argv.find((a) => a.startsWith('--seeded='))?.slice('--seeded='.length);
    const result = await runBroadcastBench(localContext(nc), { residents: Number(args[0] ?? 1_000_000), naiveSample: Number(args[1] ?? 2000), seedOnly: process.argv.includes('--seed-only'), ...(seeded ? { seeded } : {}) });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await nc.drain();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
