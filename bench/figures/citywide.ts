/**
 * The city-wide drill: the community-drill plan over every community of a seeded city with realistic populations
 * (1,000 communities, 1,000,000 residents), from POST until everyone is warned (every community's warn broadcast
 * complete), until every reservation is placed (one per community in supplies' store) and until the drill is
 * closed — beside one community drill run alone, times the number of communities ("one community at a time").
 */
import type { Area, AreaProgress, IncidentView } from '@lifeline/contracts';
import type { BenchContext } from '../lib/context';
import { benchCity } from '../lib/city';
import { lastReachedAt, startDrill, warnJobs, type WarnJob } from '../lib/drills';
import { sizedGoal, until, type Figure } from '../lib/figure';
import type { Row } from '../lib/table';

const FULL = { communities: 1_000, residents: 1_000_000 };

/** The bench city's shape: one small city for every figure of a quick run; a full run seeds 40 communities for the starts and the whole city on its own stack. */
export function benchCityShape(quick: boolean, purpose: 'starts' | 'citywide') {
  if (quick) return { communities: 20, residents: 20_000, seed: 7 };
  return purpose === 'starts' ? { communities: 40, residents: 40_000, seed: 7 } : { ...FULL, seed: 7 };
}

interface DrillTimes {
  /** Communities in the drill's scope and their residents, as the incident resolved them. */
  communities: number;
  population: number;
  warnedSeconds: number;
  reservedSeconds: number;
  closedSeconds: number;
  sent: number;
  status: string;
  /** Seconds from the POST until notification accepted the first and the last community's warn job. */
  jobsAccepted: { first: number; last: number };
  /** Where the warn's time goes: seconds from the POST until half and nine in ten residents were reached (a job counts at its last message), and a job's own p50/p95 from accepted to its last message. */
  reach: { half: number; most: number; jobP50: number; jobP95: number };
  /** Seconds from the POST until each phase started, from the incident's timeline. */
  phases: string;
}

/** "warn +0.3, mobilize +35.1, …": when each phase started, from the incident's own timeline. */
async function phaseStarts(ctx: BenchContext, incidentId: string, t0: number): Promise<string> {
  const view = await ctx.http<IncidentView>('GET', `/v1/incidents/${incidentId}`, 'auditor').catch(() => undefined);
  if (view?.status !== 200) return 'phases: unknown';
  const starts = view.body.timeline.filter((t) => / started$/.test(t.what)).map((t) => `${t.what.replace(/ started$/, '')} +${((Date.parse(t.at) - t0) / 1000).toFixed(1)}`);
  return `phases started ${starts.join(', ')} s`;
}

/** The communities the incident resolved its area to (all at once, at its start), from `GET /v1/incidents/:id`. */
async function scopeOf(ctx: BenchContext, incidentId: string): Promise<AreaProgress[]> {
  return until(`incident ${incidentId}'s communities`, async () => {
    const view = await ctx.http<IncidentView>('GET', `/v1/incidents/${incidentId}`, 'auditor').catch(() => undefined);
    return view?.status === 200 && view.body.areas.length > 0 ? view.body.areas : undefined;
  }, 120_000);
}

/**
 * Reservations supplies has placed for the incident (answered: no longer pending), read from its store like the warn
 * jobs, so the bench's polling does not queue in the service among the reservations it counts (its `summary`
 * endpoint answers the same count with a scan of its own).
 */
function placedReservations(ctx: BenchContext, incidentId: string): Promise<number> {
  return ctx.mongo.db('lifeline_supplies').collection('reservations').countDocuments({ incidentId, status: { $ne: 'pending' } });
}

/** When half and nine in ten of the residents were reached, and how long a job took from accepted to its last message. */
function reachOf(jobs: WarnJob[], t0: number): DrillTimes['reach'] {
  const done = jobs.map((j) => ({ at: (lastReachedAt(j) - t0) / 1000, sent: j.sent, span: (lastReachedAt(j) - new Date(j.createdAt).getTime()) / 1000 })).sort((a, b) => a.at - b.at);
  const total = done.reduce((n, j) => n + j.sent, 0);
  const by = (share: number) => {
    let n = 0;
    return done.find((j) => (n += j.sent) >= share * total)?.at ?? 0;
  };
  const spans = done.map((j) => j.span).sort((a, b) => a - b);
  const pct = (q: number) => spans[Math.min(spans.length - 1, Math.floor(q * spans.length))] ?? 0;
  return { half: by(0.5), most: by(0.9), jobP50: pct(0.5), jobP95: pct(0.95) };
}

/**
 * Runs one drill to its close, polling notification's warn jobs (its store, read-only), supplies' reservations (its store, read-only) and
 * the incident's Temporal execution, and timing each from the POST.
 */
async function drillTimes(ctx: BenchContext, area: Area, timeoutMs: number): Promise<DrillTimes> {
  const drill = await startDrill(ctx, area, 'bench: community drill');
  const t0 = drill.sentAt;
  const scope = await scopeOf(ctx, drill.incidentId);
  const handle = ctx.temporal.workflow.getHandle(`incident-${drill.incidentId}`);
  let warned: { at: number; sent: number; accepted: { first: number; last: number }; reach: DrillTimes['reach'] } | undefined;
  let reservedAt: number | undefined;
  for (;;) {
    if (!warned) {
      const jobs = await warnJobs(ctx, [drill.incidentId]);
      if (jobs.length >= scope.length && jobs.every((j) => j.status === 'completed')) {
        const accepted = jobs.map((j) => (new Date(j.createdAt).getTime() - t0) / 1000);
        warned = { at: Math.max(...jobs.map(lastReachedAt)), sent: jobs.reduce((n, j) => n + j.sent, 0), accepted: { first: Math.min(...accepted), last: Math.max(...accepted) }, reach: reachOf(jobs, t0) };
      }
    }
    if (reservedAt === undefined && (await placedReservations(ctx, drill.incidentId)) >= scope.length) reservedAt = Date.now();
    const described = await handle.describe();
    if (described.status.name !== 'RUNNING') {
      if (!warned || reservedAt === undefined) throw new Error(`drill ${drill.incidentId} ended ${described.status.name} before ${warned ? 'every reservation was placed' : 'everyone was warned'}`);
      const closedAt = described.closeTime?.getTime() ?? Date.now();
      const population = scope.reduce((n, a) => n + a.population, 0);
      const phases = await phaseStarts(ctx, drill.incidentId, t0);
      return { communities: scope.length, population, warnedSeconds: (warned.at - t0) / 1000, reservedSeconds: (reservedAt - t0) / 1000, closedSeconds: (closedAt - t0) / 1000, sent: warned.sent, status: described.status.name, jobsAccepted: warned.accepted, reach: warned.reach, phases };
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`drill ${drill.incidentId} not closed within ${timeoutMs / 60_000} min (everyone warned: ${warned ? 'yes' : 'no'}, every reservation placed: ${reservedAt ? 'yes' : 'no'})`);
    // Each poll reads two small collections (a job and a reservation per community); a second keeps the figures honest.
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export const citywide: Figure = {
  id: 'citywide',
  title: 'city-wide drill',
  ownStack: true,
  async run(ctx) {
    const city = await benchCity(ctx, ctx.city ? { ...ctx.city, seed: 7 } : benchCityShape(ctx.quick, 'citywide'));
    // The baseline community: the median population, so "times n" stands for the city.
    const median = [...city.communities].sort((a, b) => a.population - b.population)[Math.floor(city.communities.length / 2)]!;
    const one = await drillTimes(ctx, { communityIds: [median.id] }, ctx.quick ? 5 * 60_000 : 15 * 60_000);
    ctx.log(`one community (${median.id}, ${median.population} residents): warned ${one.warnedSeconds.toFixed(1)} s, reserved ${one.reservedSeconds.toFixed(1)} s, closed ${one.closedSeconds.toFixed(1)} s`);
    const all = await drillTimes(ctx, { cityWide: true }, ctx.quick ? 8 * 60_000 : 45 * 60_000);
    const n = all.communities;
    const figure = `city-wide drill, ${n.toLocaleString('en-US')} communities, ${all.population.toLocaleString('en-US')} residents`;
    const base = { figure, quick: ctx.quick, unit: 's', better: 'lower' as const };
    return [
      { ...base, metric: 'until everyone warned', value: all.warnedSeconds, baseline: one.warnedSeconds * n, goal: sizedGoal(60, all.population, FULL.residents), note: `${all.sent} of ${all.population} sent; jobs accepted ${all.jobsAccepted.first.toFixed(1)}–${all.jobsAccepted.last.toFixed(1)} s after the POST; half reached by ${all.reach.half.toFixed(1)} s, 90 % by ${all.reach.most.toFixed(1)} s; a job p50 ${all.reach.jobP50.toFixed(1)} s, p95 ${all.reach.jobP95.toFixed(1)} s from accepted to its last message; baseline ${median.id} (${median.population} residents) alone × ${n}` },
      { ...base, metric: 'until every reservation placed', value: all.reservedSeconds, baseline: one.reservedSeconds * n, goal: sizedGoal(60, n, FULL.communities) },
      { ...base, metric: 'until the drill is closed', value: all.closedSeconds, baseline: one.closedSeconds * n, goal: sizedGoal(600, n, FULL.communities), note: `${all.status}; ${all.phases}` },
    ] satisfies Row[];
  },
};
