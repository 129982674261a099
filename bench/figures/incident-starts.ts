/**
 * Community drills started at once over HTTP (`POST /v1/incidents`): sustained starts per second and p95 from POST
 * to the warn broadcast accepted by notification (its job recorded), beside the same starts one at a time; the
 * server's floor, a bare Temporal `workflow.start` of an empty workflow, is noted beside them.
 */
import { randomUUID } from 'node:crypto';
import { workflowIds } from '@lifeline/contracts';
import type { BenchContext } from '../lib/context';
import { benchCityShape } from './citywide';
import { benchCity } from '../lib/city';
import { startDrill, terminateIncidents, warnJobs, type StartedDrill } from '../lib/drills';
import { until, type Figure } from '../lib/figure';
import { percentile, perSecond } from '../lib/stats';

const spanMs = (drills: StartedDrill[]) => Math.max(...drills.map((d) => d.answeredAt)) - Math.min(...drills.map((d) => d.sentAt));

/** Temporal's own start rate with nothing of Lifeline around it: empty workflows on a queue no worker polls (terminated after). */
async function bareTemporalStarts(ctx: BenchContext, n: number): Promise<number> {
  const run = randomUUID().slice(0, 8);
  const ids = Array.from({ length: n }, (_, i) => `bench-empty-${run}-${i}`);
  const started = performance.now();
  await Promise.all(ids.map((workflowId) => ctx.temporal.workflow.start('lifelineBenchEmpty', { taskQueue: 'lifeline-bench-empty', workflowId, args: [] })));
  const rate = perSecond(n, performance.now() - started);
  await Promise.all(ids.map((id) => ctx.temporal.workflow.getHandle(id).terminate('bench: floor measured').catch(() => undefined)));
  return rate;
}

export const incidentStarts: Figure = {
  id: 'incident-starts',
  title: 'community drills started at once',
  async run(ctx) {
    const n = ctx.quick ? 10 : 40;
    const city = await benchCity(ctx, benchCityShape(ctx.quick, 'starts'));
    const communities = city.communities.slice(0, n);
    if (communities.length < n) throw new Error(`the bench city has ${communities.length} communities, ${n} needed`);

    // Baseline first, so what it leaves running (terminated at once) weighs on the measured burst, not on the baseline.
    const sequential: StartedDrill[] = [];
    for (const c of communities) sequential.push(await startDrill(ctx, { communityIds: [c.id] }, `bench: sequential drill ${c.id}`));
    await terminateIncidents(ctx, sequential.map((d) => d.incidentId));
    const floor = await bareTemporalStarts(ctx, n);

    const burst = await Promise.all(communities.map((c) => startDrill(ctx, { communityIds: [c.id] }, `bench: drill ${c.id}`)));
    const ids = burst.map((d) => d.incidentId);
    const jobs = await until('every drill\'s warn broadcast accepted by notification', async () => {
      const found = await warnJobs(ctx, ids);
      return new Set(found.map((j) => j.incidentId)).size === n ? found : undefined;
    }, ctx.quick ? 120_000 : 300_000, 250);
    // Where the time goes: POST → the incident's run started → its district's run started → the warn job accepted.
    const hops = await Promise.all(
      burst.map(async (d, i) => {
        const incident = await ctx.temporal.workflow.getHandle(workflowIds.incident(d.incidentId)).describe();
        const district = await ctx.temporal.workflow.getHandle(workflowIds.district(d.incidentId, communities[i]!.districtId)).describe().catch(() => undefined);
        return { incident: (incident.startTime.getTime() - d.sentAt) / 1000, district: district ? (district.startTime.getTime() - d.sentAt) / 1000 : NaN };
      }),
    );
    await terminateIncidents(ctx, ids);
    const sentAt = new Map(burst.map((d) => [d.incidentId, d.sentAt]));
    const firstJob = new Map<string, number>();
    for (const j of jobs) firstJob.set(j.incidentId, Math.min(firstJob.get(j.incidentId) ?? Infinity, new Date(j.createdAt).getTime()));
    const toWarn = ids.map((id) => (firstJob.get(id)! - sentAt.get(id)!) / 1000);

    const base = { figure: `${n} community drills started at once`, quick: ctx.quick };
    return [
      { ...base, metric: 'starts per second', unit: '/s', value: perSecond(n, spanMs(burst)), baseline: perSecond(n, spanMs(sequential)), better: 'higher', goal: { op: '>=', target: 10 }, note: `baseline one POST at a time; bare Temporal start ${floor.toFixed(0)}/s` },
      { ...base, metric: 'p95 POST → warn dispatched', unit: 's', value: percentile(toWarn, 95), better: 'lower', goal: { op: '<=', target: 2 }, note: `p50 ${percentile(toWarn, 50).toFixed(2)} s; p95 POST → 202 ${(percentile(burst.map((d) => d.answeredAt - d.sentAt), 95) / 1000).toFixed(2)} s; p50 POST → incident run ${percentile(hops.map((h) => h.incident), 50).toFixed(2)} s → district run ${percentile(hops.map((h) => h.district), 50).toFixed(2)} s` },
    ];
  },
};
