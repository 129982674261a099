/**
 * Broadcast throughput against a running stack (not a test):
 *   node --import tsx services/notification/bench/broadcast.ts [residents=1000000] [naiveSample=2000] [--keep]
 * Seeds N residents in a new community, runs one drill broadcast through JetStream batches and the simulated gateway,
 * then sends a sample through the naive path (a Temporal workflow with one activity per resident), and prints both
 * rates and their ratio. NATS/Mongo/Temporal come from NATS_URL…/MONGO_URL/TEMPORAL_ADDRESS, else the local stack
 * (ports from NATS_PORT/MONGO_PORT/TEMPORAL_PORT, admin password from $LIFELINE_DATA_DIR/secrets.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { notification, type RequestOf } from '@lifeline/contracts';
import { call, connectMongo, connectNats, type NatsConnection } from '@lifeline/platform';
import { benchPhone, naiveActivities } from './naive-activities';

const SEED_CHUNK = 4_000;
const SEED_IN_FLIGHT = 3;
const VULNERABLE_EVERY = 9;
const NAIVE_QUEUE = 'notification-bench-naive';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const keep = process.argv.includes('--keep');
const seedOnly = process.argv.includes('--seed-only');
/** `--seeded=<run>`: reuse the residents an earlier `--seed-only` run seeded (community `bench-<run>`), skip seeding. */
const seededRun = process.argv.find((a) => a.startsWith('--seeded='))?.slice('--seeded='.length);
const residents = Number(args[0] ?? 1_000_000);
const naiveSample = Number(args[1] ?? 2000);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function settings() {
  const dataDir = process.env.LIFELINE_DATA_DIR ?? '.data';
  const secrets = fs.existsSync(path.join(dataDir, 'secrets.json')) ? (JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { nats: { admin: string } }) : undefined;
  return {
    nats: { NATS_URL: process.env.NATS_URL ?? `nats://127.0.0.1:${process.env.NATS_PORT ?? 4222}`, NATS_USER: process.env.NATS_USER ?? 'admin', NATS_PASSWORD: process.env.NATS_PASSWORD ?? secrets?.nats.admin },
    mongoUrl: process.env.MONGO_URL ?? `mongodb://127.0.0.1:${process.env.MONGO_PORT ?? 27017}`,
    temporal: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${process.env.TEMPORAL_PORT ?? 7233}`,
  };
}

function chunk(run: string, communityId: string, start: number, end: number): RequestOf<typeof notification.seed>['residents'] {
  const out: RequestOf<typeof notification.seed>['residents'] = [];
  for (let i = start; i < end; i++) {
    out.push({
      id: `r-${run}-${i}`,
      communityId,
      gridId: `g-${i % 200}`,
      buildingId: `b-${i % 2000}`,
      name: `Resident ${i}`,
      phone: benchPhone(i),
      address: `Building ${i % 2000}, unit ${i}`,
      language: i % 5 === 0 ? 'en' : 'zh',
      vulnerabilities: i % VULNERABLE_EVERY === 0 ? ['elderly-alone'] : [],
    });
  }
  return out;
}

async function seed(nc: NatsConnection, run: string, communityId: string): Promise<number> {
  const started = performance.now();
  const starts = Array.from({ length: Math.ceil(residents / SEED_CHUNK) }, (_, k) => k * SEED_CHUNK);
  for (let k = 0; k < starts.length; k += SEED_IN_FLIGHT) {
    await Promise.all(starts.slice(k, k + SEED_IN_FLIGHT).map((s) => call(nc, notification.seed, { residents: chunk(run, communityId, s, Math.min(residents, s + SEED_CHUNK)) }, { timeoutMs: 300_000 })));
    if ((k / SEED_IN_FLIGHT) % 10 === 0) log(`seeded ${Math.min(residents, (k + SEED_IN_FLIGHT) * SEED_CHUNK)} of ${residents}`);
  }
  return (performance.now() - started) / 1000;
}

async function batchPath(nc: NatsConnection, run: string, communityId: string) {
  const incidentId = `bench-${run}`;
  const started = performance.now();
  const idempotencyKey = `bench-${run}:warn:notify`;
  const request = { idempotencyKey, incidentId, stepId: 'warn-notify', communityId, audience: { groups: ['everyone' as const] }, channels: ['sms' as const], message: { zh: '台风预警：请留在室内。', en: 'Typhoon warning: stay indoors.' }, severity: 'II' as const, drill: true };
  // The service answers within BROADCAST_REPLY_WITHIN_MS; a large audience goes on being cut in the background.
  const job = await call(nc, notification.broadcast, request, { timeoutMs: 60_000 });
  const answeredSeconds = (performance.now() - started) / 1000;
  log(`broadcast answered in ${answeredSeconds.toFixed(1)} s: job ${job.jobId}, ${job.total} recipients found so far${job.audienceResolved === false ? ' (audience still being read)' : ''}`);
  let progress = job;
  let queuedSeconds = progress.audienceResolved === false ? undefined : answeredSeconds;
  let lastLog = 0;
  while (progress.status !== 'completed') {
    await sleep(1000);
    progress = await call(nc, notification.job, { jobId: job.jobId }, { timeoutMs: 60_000 });
    if (queuedSeconds === undefined && progress.audienceResolved !== false) {
      queuedSeconds = (performance.now() - started) / 1000;
      log(`audience cut and queued after ${queuedSeconds.toFixed(1)} s: ${progress.total} recipients, predicted ${progress.predictedSeconds} s at the sms rate`);
    }
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      log(`${progress.sent} sent of ${progress.total}${progress.audienceResolved === false ? ' found so far' : ''} after ${progress.elapsedSeconds} s`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { incidentId, job: progress, answeredSeconds, queuedSeconds: queuedSeconds ?? seconds, seconds };
}

async function naivePath(nc: NatsConnection, run: string, population: string, sample: number) {
  const { temporal } = settings();
  const connection = await NativeConnection.connect({ address: temporal });
  // As many activities at once as the batch path has batches in flight and more: the store, not Temporal, is the limit.
  const worker = await Worker.create({ connection, taskQueue: NAIVE_QUEUE, workflowsPath: require.resolve('./naive-workflow'), activities: naiveActivities(nc), maxConcurrentActivityTaskExecutions: 16 });
  const client = new Client({ connection: await Connection.connect({ address: temporal }) });
  const incidentId = `bench-naive-${run}`;
  const residentIds = Array.from({ length: sample }, (_, i) => `r-${population}-${i}`);
  const result = await worker.runUntil(async () => {
    const started = performance.now();
    const sent = await client.workflow.execute('naiveBroadcast', { taskQueue: NAIVE_QUEUE, workflowId: `bench-naive-${run}`, args: [{ incidentId, residentIds }] });
    return { sent: sent as number, seconds: (performance.now() - started) / 1000 };
  });
  await connection.close();
  return { incidentId, ...result };
}

/** FerretDB's SQLite backend deletes the matches of one call with one SQL statement; more than ~32 000 fail. */
const DELETE_CHUNK = 25_000;
/** Each chunked delete scans the whole collection: beyond this many scans the data is left for the stack's data dir to be dropped. */
const MAX_DELETE_SCANS = 12;

async function cleanUp(communityId: string | undefined, jobId: string, batches: number, incidents: string[]) {
  const db = await connectMongo(settings().mongoUrl, 'lifeline_notification');
  try {
    const scans = Math.ceil((batches * 1000) / DELETE_CHUNK);
    if (scans > MAX_DELETE_SCANS) {
      log(`not removing the bench data: ${batches} batches would take ${scans * 3} deletes, each a scan of a large collection (FerretDB); drop the stack's data dir instead`);
      return;
    }
    const perChunk = Math.max(1, Math.floor(DELETE_CHUNK / 1000));
    for (let b = 0; b < batches; b += perChunk) {
      for (const name of ['deliveries', 'delivery_claims']) await db.collection(name).deleteMany({ jobId, batch: { $gte: b, $lt: b + perChunk } });
    }
    if (communityId) {
      // The bench spreads residents over 200 grids; a chunk of grids holds at most DELETE_CHUNK of them.
      const gridsPerChunk = Math.max(1, Math.floor((200 * DELETE_CHUNK) / Math.max(residents, 1)));
      for (let g = 0; g < 200; g += gridsPerChunk) {
        await db.collection('residents').deleteMany({ communityId, gridId: { $in: Array.from({ length: Math.min(gridsPerChunk, 200 - g) }, (_, k) => `g-${g + k}`) } });
      }
    }
    await db.collection('broadcast_batch_results').deleteMany({ jobId });
    for (const incidentId of incidents) {
      await db.collection('gateway_calls').deleteMany({ incidentId });
      await db.collection('direct_messages').deleteMany({ incidentId });
    }
    log(`removed the bench data of job ${jobId}`);
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const { nats, mongoUrl } = settings();
  const nc = await connectNats(nats, 'notification-bench');
  const run = randomUUID().slice(0, 8);
  const population = seededRun ?? run;
  const communityId = `bench-${population}`;

  const seedSeconds = seededRun ? undefined : await seed(nc, population, communityId);
  if (seedSeconds === undefined) log(`using the ${residents} residents seeded earlier in ${communityId}`);
  else log(`seeded ${residents} residents of ${communityId} in ${seedSeconds.toFixed(1)} s`);
  if (seedOnly) {
    log(`seeded only; run again with --seeded=${population}`);
    await nc.drain();
    return;
  }
  const batched = await batchPath(nc, run, communityId);
  const db = await connectMongo(mongoUrl, 'lifeline_notification');
  const calls = await db.collection<{ messages: { residentIds: string[] }[] }>('gateway_calls').find({ incidentId: batched.incidentId }).toArray();
  const gatewayMessages = calls.reduce((n, c) => n + c.messages.reduce((m, t) => m + t.residentIds.length, 0), 0);
  await db.close();
  log(`batch path: ${batched.job.sent} sent in ${batched.seconds.toFixed(1)} s; naive path on ${naiveSample} residents…`);
  const naive = await naivePath(nc, run, population, Math.min(naiveSample, residents));

  const rate = batched.job.sent / batched.seconds;
  const naiveRate = naive.sent / naive.seconds;
  console.log(
    JSON.stringify(
      {
        residents,
        seedSeconds: seedSeconds === undefined ? null : Number(seedSeconds.toFixed(1)),
        batch: {
          sent: batched.job.sent,
          failed: batched.job.failed,
          gatewayMessages,
          answeredSeconds: Number(batched.answeredSeconds.toFixed(1)),
          queuedSeconds: Number(batched.queuedSeconds.toFixed(1)),
          endToEndSeconds: Number(batched.seconds.toFixed(1)),
          messagesPerSecond: Math.round(rate),
          predictedSeconds: batched.job.predictedSeconds,
        },
        naive: { sample: naive.sent, seconds: Number(naive.seconds.toFixed(1)), messagesPerSecond: Math.round(naiveRate) },
        ratio: Number((rate / naiveRate).toFixed(1)),
      },
      null,
      2,
    ),
  );
  if (!keep) {
    // Bounded deletes (FerretDB refuses one deleteMany over ~32 000 documents); a very large run is left for the data dir to be dropped.
    await cleanUp(seededRun ? undefined : communityId, batched.job.jobId, Math.ceil(batched.job.total / 1000), [batched.incidentId, naive.incidentId]).catch((err: unknown) => log(`bench data of run ${run} left in place: ${(err as Error).message.slice(0, 160)}`));
  }
  await nc.drain();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
