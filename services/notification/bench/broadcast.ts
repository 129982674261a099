/**
 * Broadcast throughput against a running notification service (not a test):
 *   node --import tsx services/notification/bench/broadcast.ts [residents=20000]
 * Uses NATS_URL / NATS_USER / NATS_PASSWORD (and MONGO_URL to count deliveries) from the environment.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { notification, type RequestOf } from '@lifeline/contracts';
import { BaseEnv, call, connectMongo, connectNats, loadConfig } from '@lifeline/platform';

const SEED_CHUNK = 2000;
const VULNERABLE_EVERY = 9;

async function main(): Promise<void> {
  const residents = Number(process.argv[2] ?? 20000);
  const env = loadConfig(BaseEnv);
  const nc = await connectNats(env, 'notification-bench');
  const run = randomUUID().slice(0, 8);
  const communityId = `bench-${run}`;

  const seedStarted = performance.now();
  for (let start = 0; start < residents; start += SEED_CHUNK) {
    const chunk: RequestOf<typeof notification.seed>['residents'] = [];
    for (let i = start; i < Math.min(residents, start + SEED_CHUNK); i++) {
      chunk.push({
        id: `r-${run}-${i}`,
        communityId,
        gridId: `g-${i % 20}`,
        buildingId: `b-${i % 200}`,
        name: `Resident ${i}`,
        phone: `138${String(i).padStart(8, '0')}`,
        address: `Building ${i % 200}, unit ${i}`,
        language: i % 5 === 0 ? 'en' : 'zh',
        vulnerabilities: i % VULNERABLE_EVERY === 0 ? ['elderly-alone'] : [],
      });
    }
    await call(nc, notification.seed, { residents: chunk }, { timeoutMs: 120_000 });
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const started = performance.now();
  const job = await call(nc, notification.broadcast, {
    idempotencyKey: `bench-${run}:warn:notify`,
    incidentId: `bench-${run}`,
    stepId: 'warn-notify',
    communityId,
    audience: { groups: ['everyone'] },
    channels: ['sms'],
    message: { zh: '台风预警：请留在室内。', en: 'Typhoon warning: stay indoors.' },
    severity: 'II',
    drill: true,
  }, { timeoutMs: 120_000 });
  const queuedSeconds = (performance.now() - started) / 1000;
  let progress = job;
  while (progress.status !== 'completed') {
    await sleep(100);
    progress = await call(nc, notification.job, { jobId: job.jobId });
  }
  const seconds = (performance.now() - started) / 1000;

  let deliveries: number | undefined;
  if (process.env.MONGO_URL) {
    const db = await connectMongo(process.env.MONGO_URL, 'lifeline_notification');
    deliveries = await db.collection('deliveries').countDocuments({ jobId: job.jobId });
    await db.close();
  }
  await nc.drain();
  console.log(
    JSON.stringify({
      residents,
      seedSeconds: Number(seedSeconds.toFixed(2)),
      queuedSeconds: Number(queuedSeconds.toFixed(2)),
      seconds: Number(seconds.toFixed(2)),
      messagesPerSecond: Math.round(progress.sent / seconds),
      sent: progress.sent,
      failed: progress.failed,
      deliveries,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
