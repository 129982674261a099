/**
 * The city-wide drill: the community-drill plan over every community of a seeded city with realistic populations
 * (1,000 communities, 1,000,000 residents), from POST until everyone is warned (every community's warn broadcast
 * complete), until every reservation is placed (supplies' summary counts one per community) and until the drill is
 * closed — beside one community drill run alone, times the number of communities ("one community at a time").
 */
import { supplies, type Area } from '@lifeline/contracts';
import { call } from '@lifeline/platform';
import type { BenchContext } from '../lib/context';
import { benchCity, type BenchCity } from '../lib/city';
import { lastReachedAt, startDrill, warnJobs } from '../lib/drills';
import { sizedGoal, type Figure } from '../lib/figure';
import type { Row } from '../lib/table';

const FULL = { communities: 1_000, residents: 1_000_000 };

/** The bench city's shape: one small city for every figure of a quick run; a full run seeds 40 communities for the starts and the whole city on its own stack. */
export function benchCityShape(quick: boolean, purpose: 'starts' | 'citywide') {
  if (quick) return { communities: 20, residents: 20_000, seed: 7 };
  return purpose === 'starts' ? { communities: 40, residents: 40_000, seed: 7 } : { ...FULL, seed: 7 };
}

interface DrillTimes {
  warnedSeconds: number;
  reservedSeconds: number;
  closedSeconds: number;
  sent: number;
  status: string;
}

/** Runs one drill over `communities` to its close, polling notification's jobs (store, read-only), supplies' summary (NATS) and Temporal. */
async function drillTimes(ctx: BenchContext, area: Area, communities: BenchCity['communities'], timeoutMs: number): Promise<DrillTimes> {
  const drill = await startDrill(ctx, area, `bench: drill over ${communities.length} communities`);
  const t0 = drill.sentAt;
  const handle = ctx.temporal.workflow.getHandle(`incident-${drill.incidentId}`);
  let warned: { at: number; sent: number } | undefined;
  let reservedAt: number | undefined;
  for (;;) {
    if (!warned) {
      const jobs = await warnJobs(ctx, [drill.incidentId]);
      if (jobs.length >= communities.length && jobs.every((j) => j.status === 'completed')) warned = { at: Math.max(...jobs.map(lastReachedAt)), sent: jobs.reduce((n, j) => n + j.sent, 0) };
    }
    if (reservedAt === undefined) {
      const summary = await call(ctx.nc, supplies.summary, { incidentId: drill.incidentId }, { timeoutMs: 60_000 }).catch(() => undefined);
      if (summary && summary.reservations >= communities.length) reservedAt = Date.now();
    }
    const described = await handle.describe();
    if (described.status.name !== 'RUNNING') {
      if (!warned || reservedAt === undefined) throw new Error(`drill ${drill.incidentId} ended ${described.status.name} before ${warned ? 'every reservation was placed' : 'everyone was warned'}`);
      const closedAt = described.closeTime?.getTime() ?? Date.now();
      return { warnedSeconds: (warned.at - t0) / 1000, reservedSeconds: (reservedAt - t0) / 1000, closedSeconds: (closedAt - t0) / 1000, sent: warned.sent, status: described.status.name };
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`drill ${drill.incidentId} not closed within ${timeoutMs / 60_000} min (warned: ${warned ? 'yes' : 'no'}, reservations placed: ${reservedAt ? 'yes' : 'no'})`);
    await new Promise((r) => setTimeout(r, ctx.quick ? 1000 : 2000));
  }
}

export const citywide: Figure = {
  id: 'citywide',
  title: 'city-wide drill',
  ownStack: true,
  async run(ctx) {
    const shape = benchCityShape(ctx.quick, 'citywide');
    const city = await benchCity(ctx, shape);
    const n = city.communities.length;
    // The baseline community: the median population, so "times n" stands for the city.
    const median = [...city.communities].sort((a, b) => a.population - b.population)[Math.floor(n / 2)]!;
    const one = await drillTimes(ctx, { communityIds: [median.id] }, [median], ctx.quick ? 5 * 60_000 : 15 * 60_000);
    ctx.log(`one community (${median.id}, ${median.population} residents): warned ${one.warnedSeconds.toFixed(1)} s, reserved ${one.reservedSeconds.toFixed(1)} s, closed ${one.closedSeconds.toFixed(1)} s`);
    const all = await drillTimes(ctx, { cityWide: true }, city.communities, ctx.quick ? 8 * 60_000 : 45 * 60_000);
    const figure = `city-wide drill, ${n.toLocaleString('en-US')} communities, ${city.residents.toLocaleString('en-US')} residents`;
    const base = { figure, quick: ctx.quick, unit: 's', better: 'lower' as const };
    const baselineNote = `baseline: ${median.id} (${median.population} residents) alone × ${n}`;
    return [
      { ...base, metric: 'until everyone warned', value: all.warnedSeconds, baseline: one.warnedSeconds * n, goal: sizedGoal(60, city.residents, FULL.residents), note: `${all.sent} of ${city.residents} sent; ${baselineNote}` },
      { ...base, metric: 'until every reservation placed', value: all.reservedSeconds, baseline: one.reservedSeconds * n, goal: sizedGoal(60, n, FULL.communities) },
      { ...base, metric: 'until the drill is closed', value: all.closedSeconds, baseline: one.closedSeconds * n, goal: sizedGoal(600, n, FULL.communities), note: `${all.status}` },
    ] satisfies Row[];
  },
};
