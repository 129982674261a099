/**
 * Broadcast figures: one drill broadcast to every resident of one community, request → last message at the
 * simulated gateway, beside the naive path (services/notification/bench/naive-workflow.ts: one Temporal activity per
 * resident) measured on a sample in the same run.
 *
 * The load comes from `runBroadcastBench` in services/notification/bench/broadcast.ts once that file exports it (the
 * notification bench's owner keeps it; checked before each run, its result read by {@link normalizeBroadcast});
 * until then {@link ownBroadcastBench} below seeds, broadcasts and reads the gateway's record itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { notification, type RequestOf } from '@lifeline/contracts';
import { call } from '@lifeline/platform';
import { benchPhone, naiveActivities } from '@lifeline/notification/bench/naive-activities';
import type { BenchContext } from '../lib/context';
import { sizedGoal, until, type Figure } from '../lib/figure';
import { gatewayOrder, type GatewayCall } from '../lib/gateway';
import { perSecond } from '../lib/stats';
import { normalizeBroadcast, type BroadcastOutcome } from '../lib/normalize';
import type { Row } from '../lib/table';

/** One in nine seeded residents is vulnerable (as services/notification/bench/broadcast.ts seeds them). */
const VULNERABLE_EVERY = 9;
const SEED_CHUNK = 4_000;
const SEED_IN_FLIGHT = 3;
const NAIVE_QUEUE = 'lifeline-bench-naive-broadcast';
const indexOf = (residentId: string) => Number(residentId.slice(residentId.lastIndexOf('-') + 1));

type Residents = RequestOf<typeof notification.seed>['residents'];

function residentsOf(run: string, communityId: string, start: number, end: number): Residents {
  return Array.from({ length: end - start }, (_, k) => {
    const i = start + k;
    return {
      id: `r-${run}-${i}`,
      communityId,
      gridId: `g-${i % 200}`,
      buildingId: `b-${i % 2000}`,
      name: `Resident ${i}`,
      phone: benchPhone(i),
      address: `Building ${i % 2000}, unit ${i}`,
      language: i % 5 === 0 ? ('en' as const) : ('zh' as const),
      vulnerabilities: i % VULNERABLE_EVERY === 0 ? ['elderly-alone' as const] : [],
    };
  });
}

async function seedCommunity(ctx: BenchContext, run: string, communityId: string, residents: number): Promise<void> {
  const started = performance.now();
  const starts = Array.from({ length: Math.ceil(residents / SEED_CHUNK) }, (_, k) => k * SEED_CHUNK);
  for (let k = 0; k < starts.length; k += SEED_IN_FLIGHT) {
    await Promise.all(
      starts.slice(k, k + SEED_IN_FLIGHT).map((s) => call(ctx.nc, notification.seed, { residents: residentsOf(run, communityId, s, Math.min(residents, s + SEED_CHUNK)) }, { timeoutMs: 300_000 })),
    );
  }
  ctx.log(`seeded ${residents} residents of ${communityId} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The batched path: one broadcast request, then the job polled until complete, then the gateway's record read back. */
async function broadcastOnce(ctx: BenchContext, run: string, communityId: string, residents: number) {
  const incidentId = `bench-${run}`;
  const started = Date.now();
  const job = await call(
    ctx.nc,
    notification.broadcast,
    {
      idempotencyKey: `bench-${run}:warn`,
      incidentId,
      stepId: 'warn-residents',
      communityId,
      audience: { groups: ['everyone'] },
      channels: ['sms'],
      message: { zh: '台风预警：请留在室内。', en: 'Typhoon warning: stay indoors.' },
      severity: 'II',
      drill: true,
    },
    { timeoutMs: 60_000 },
  );
  const timeoutMs = Math.max(5 * 60_000, residents * 3);
  const done = await until(`broadcast job ${job.jobId}`, async () => {
    const now = await call(ctx.nc, notification.job, { jobId: job.jobId }, { timeoutMs: 60_000 });
    return now.status === 'completed' ? now : undefined;
  }, timeoutMs);
  const calls = await ctx.mongo.db('lifeline_notification').collection<GatewayCall>('gateway_calls').find({ incidentId }, { projection: { at: 1, residentIds: 1, messages: 1 } }).toArray();
  const order = gatewayOrder(calls, (id) => indexOf(id) % VULNERABLE_EVERY === 0);
  if (!order.lastAt) throw new Error(`no message of ${incidentId} reached the gateway`);
  return { job: done, order, seconds: (order.lastAt.getTime() - started) / 1000 };
}

let naiveBundle: Promise<WorkflowBundle> | undefined;
let runtimeInstalled = false;

/** The Temporal worker's own log (every state change at INFO) would drown the bench's lines: warnings only. */
function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by an earlier worker in this process
  }
}

/** The naive path on a sample of the same residents: a Temporal workflow with one activity (one `direct` call) per resident. */
async function naiveRate(ctx: BenchContext, run: string, sample: number): Promise<number> {
  quietTemporalRuntime();
  naiveBundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../services/notification/bench/naive-workflow'), logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } });
  const connection = await NativeConnection.connect({ address: ctx.endpoints.temporalAddress });
  try {
    // As many activities at once as the batch path has batches in flight and more: the store, not Temporal, is the limit.
    const worker = await Worker.create({ connection, namespace: ctx.endpoints.temporalNamespace, taskQueue: NAIVE_QUEUE, workflowBundle: await naiveBundle, activities: naiveActivities(ctx.nc), maxConcurrentActivityTaskExecutions: 16 });
    const residentIds = Array.from({ length: sample }, (_, i) => `r-${run}-${i}`);
    return await worker.runUntil(async () => {
      const started = performance.now();
      const sent = (await ctx.temporal.workflow.execute('naiveBroadcast', { taskQueue: NAIVE_QUEUE, workflowId: `bench-naive-${run}`, args: [{ incidentId: `bench-naive-${run}`, residentIds }] })) as number;
      if (sent !== sample) throw new Error(`naive path sent ${sent} of ${sample}`);
      return perSecond(sent, performance.now() - started);
    });
  } finally {
    await connection.close();
  }
}

export interface BroadcastLoad {
  residents: number;
  naiveSample: number;
}

/** Seeds a community of `residents`, broadcasts to it, reads the gateway's record, then runs the naive sample. */
async function ownBroadcastBench(ctx: BenchContext, load: BroadcastLoad): Promise<BroadcastOutcome> {
  const run = randomUUID().slice(0, 8);
  const communityId = `bench-${run}`;
  await seedCommunity(ctx, run, communityId, load.residents);
  const batched = await broadcastOnce(ctx, run, communityId, load.residents);
  ctx.log(`batched: ${batched.job.sent} sent in ${batched.seconds.toFixed(1)} s; naive path on ${load.naiveSample}…`);
  const naive = await naiveRate(ctx, run, load.naiveSample);
  return { sent: batched.job.sent, seconds: batched.seconds, naiveMessagesPerSecond: naive, ...batched.order };
}

const NOTIFICATION_BENCH = path.resolve(__dirname, '../../services/notification/bench/broadcast.ts');

/** The notification bench's own driver when its file exports one (checked before each run), else {@link ownBroadcastBench}. */
async function broadcastDriver(): Promise<{ name: string; run: (ctx: BenchContext, load: BroadcastLoad) => Promise<BroadcastOutcome> }> {
  const text = fs.existsSync(NOTIFICATION_BENCH) ? fs.readFileSync(NOTIFICATION_BENCH, 'utf8') : '';
  if (!/export\s+(async\s+function|function|const)\s+runBroadcastBench\b/.test(text)) return { name: 'bench/figures/broadcast.ts ownBroadcastBench', run: ownBroadcastBench };
  // The notification bench takes the harness's context as it is (nc, endpoints, log).
  const mod = (await import(NOTIFICATION_BENCH)) as { runBroadcastBench: (ctx: Pick<BenchContext, 'nc' | 'endpoints' | 'log'>, load: BroadcastLoad) => Promise<unknown> };
  return { name: 'services/notification/bench/broadcast.ts runBroadcastBench', run: async (ctx, load) => normalizeBroadcast(await mod.runBroadcastBench(ctx, load)) };
}

function broadcastFigure(id: string, fullSize: number, goalSeconds: number, ownStack: boolean): Figure {
  const title = `${fullSize.toLocaleString('en-US')}-resident broadcast`;
  return {
    id,
    title,
    ownStack,
    async run(ctx) {
      const residents = ctx.quick ? Math.round(fullSize / (fullSize >= 1_000_000 ? 50 : 10)) : fullSize;
      const naiveSample = Math.min(residents, ctx.quick ? 200 : 2_000);
      const { name, run } = await broadcastDriver();
      ctx.log(`broadcast driven by ${name}`);
      const o = await run(ctx, { residents, naiveSample });
      const base = { figure: ctx.quick ? `${residents.toLocaleString('en-US')}-resident broadcast` : title, quick: ctx.quick };
      const shortfall = o.sent < residents ? `, only ${o.sent} of ${residents} sent` : '';
      return [
        { ...base, metric: 'request → last message at the gateway', unit: 's', value: o.seconds, baseline: residents / o.naiveMessagesPerSecond, better: 'lower', goal: sizedGoal(goalSeconds, residents, fullSize), note: `naive extrapolated from ${naiveSample} residents${shortfall}` },
        { ...base, metric: 'messages per second', unit: 'msg/s', value: o.sent / o.seconds, baseline: o.naiveMessagesPerSecond, better: 'higher' },
        { ...base, metric: 'duplicates', unit: '', value: o.duplicates, better: 'lower', goal: { op: '==', target: 0 }, note: o.transmissions === undefined ? 'not reported' : `${o.transmissions} transmissions to ${o.sent} residents` },
        { ...base, metric: 'vulnerable first', unit: '', value: o.vulnerableFirst, better: 'higher', goal: { op: 'yes' }, ...(o.vulnerableShareFirst === undefined ? { note: 'not reported' } : { note: `${(o.vulnerableShareFirst * 100).toFixed(1)} % of the vulnerable before anyone else` }) },
      ] satisfies Row[];
    },
  };
}

export const broadcast1m = broadcastFigure('broadcast-1m', 1_000_000, 60, true);
export const broadcast50k = broadcastFigure('broadcast-50k', 50_000, 4, false);
