/**
 * Figures for personnel's dispatch and service-kept acknowledgement deadlines, measured against the running stack:
 * dispatch latency, and the lag between a stored deadline and the `task-timed-out` event of the hand-over to the
 * backup (which depends on ACK_SWEEP_INTERVAL_MS and the number of overdue tasks), plus readiness latency.
 *
 *   node --import tsx services/personnel/bench/deadline.ts [--tasks 40] [--deadline 5] [--concurrency 5]
 *
 * Uses the local stack of LIFELINE_DATA_DIR / the *_PORT variables (like the `lifeline` command). Seeds a
 * community unique to the run; nobody acknowledges, so every task falls back once to a backup.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { personnel, personnelEvents } from '@lifeline/contracts';
import { call, decodeJson } from '@lifeline/platform';
import { connectAdmin, exampleCommunity } from '@lifeline/testkit';

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const figures = (label: string, xs: number[]) =>
  console.log(`${label.padEnd(38)} n=${String(xs.length).padStart(4)}  p50=${quantile(xs, 0.5).toFixed(0).padStart(6)} ms  p95=${quantile(xs, 0.95).toFixed(0).padStart(6)} ms  max=${Math.max(...xs).toFixed(0).padStart(6)} ms`);

async function main() {
  const { values } = parseArgs({ options: { tasks: { type: 'string', default: '40' }, deadline: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '5' } } });
  const tasks = Number(values.tasks);
  const deadline = Number(values.deadline);
  const concurrency = Number(values.concurrency);
  const bad = [
    ...(Number.isInteger(tasks) && tasks >= 1 && tasks <= 2000 ? [] : [{ flag: '--tasks', message: 'a whole number from 1 to 2000' }]),
    ...(Number.isInteger(deadline) && deadline >= 1 && deadline <= 600 ? [] : [{ flag: '--deadline', message: 'seconds, 1 to 600' }]),
    ...(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 100 ? [] : [{ flag: '--concurrency', message: 'a whole number from 1 to 100' }]),
  ];
  if (bad.length > 0) {
    console.error(JSON.stringify({ code: 'invalid_request', message: 'invalid flags', details: bad }));
    process.exit(2);
  }
  const nc = await connectAdmin('personnel-bench');
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const communityId = `c-bench-${run}`;
  const incidentId = `inc-bench-${run}`;
  await call(nc, personnel.seed, {
    units: [
      { id: `d-bench-${run}`, level: 'district', name: { zh: '区', en: 'District' } },
      { id: communityId, level: 'community', parentId: `d-bench-${run}`, name: { zh: '社区', en: 'Community' }, population: 1000 },
    ],
    people: Array.from({ length: tasks * 2 }, (_, i) => ({ id: `p-bench-${run}-${String(i).padStart(4, '0')}`, type: 'grid-worker' as const, communityId, name: `网格员${i}`, phone: `1370000${String(i).padStart(4, '0')}` })),
  }, { timeoutMs: 60_000 });

  const dueAt = new Map<string, number>();
  const lags: number[] = [];
  const sub = nc.subscribe(personnelEvents.timedOut.subject);
  const seen = (async () => {
    for await (const m of sub) {
      const env = decodeJson(m.data) as { data: { taskId: string; incidentId: string } };
      const due = dueAt.get(env.data.taskId);
      if (env.data.incidentId === incidentId && due !== undefined) lags.push(Date.now() - due);
      if (lags.length >= tasks) break;
    }
  })();

  const dispatchMs: number[] = [];
  const started = Date.now();
  for (let i = 0; i < tasks; i += concurrency) {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, tasks - i) }, async (_, j) => {
        const t0 = Date.now();
        const t = await call(nc, personnel.dispatch, { idempotencyKey: `bench-${run}:${i + j}`, incidentId, communityId, stepId: 'bench', role: 'grid-worker', task: { zh: '演练', en: 'Bench' }, severity: 'IV', ackDeadlineSeconds: deadline }, { timeoutMs: 120_000 });
        dispatchMs.push(Date.now() - t0);
        dueAt.set(t.taskId, Date.parse(t.ackDueAt!));
      }),
    );
  }
  const dispatchWall = Date.now() - started;
  await Promise.race([seen, new Promise((r) => setTimeout(r, 60_000 + deadline * 1000))]);
  sub.unsubscribe();
  const t0 = Date.now();
  const stood = await call(nc, personnel.standDown, { idempotencyKey: `bench-${run}:stand-down`, incidentId }, { timeoutMs: 300_000 });
  const standDownMs = Date.now() - t0;
  console.log(`personnel bench: ${tasks} tasks, ackDeadlineSeconds=${deadline}, nobody acknowledges`);
  figures('dispatch (request → reply)', dispatchMs);
  console.log(`${'dispatch throughput'.padEnd(38)} ${((tasks / dispatchWall) * 1000).toFixed(1)} tasks/s (${concurrency} concurrent)`);
  figures('deadline → task-timed-out (hand-over)', lags);
  console.log(`${'hand-overs seen'.padEnd(38)} ${lags.length}/${tasks}`);
  console.log(`${'stand-down'.padEnd(38)} ${stood.stoodDown} tasks in ${standDownMs} ms`);

  const weak = exampleCommunity('weak', `c-bw-${run}`, `d-bench-${run}`);
  const strong = exampleCommunity('strong', `c-bs-${run}`, `d-bench-${run}`);
  await call(nc, personnel.seed, { units: [...weak.units, ...strong.units], people: [...weak.people, ...strong.people], partyUnits: [...weak.partyUnits, ...strong.partyUnits] }, { timeoutMs: 300_000 });
  const readinessMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = Date.now();
    await call(nc, personnel.readiness, { area: { communityIds: [weak.units[0]!.id, strong.units[0]!.id] } });
    readinessMs.push(Date.now() - t0);
  }

  figures('readiness, weak+strong (~620 people)', readinessMs);
  await nc.drain();
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
