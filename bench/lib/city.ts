/**
 * The bench city: `lifeline seed`'s synthetic city (@lifeline/testkit), trimmed to what a community drill touches
 * (testkit's drillCity), with realistic community populations instead of equal ones, seeded once per stack.
 */
import { notification, type PlanDocument } from '@lifeline/contracts';
import { call, type NatsConnection } from '@lifeline/platform';
import { buildCity, type CityShape, type SyntheticCity, seededRandom, sendCity, drillCity } from '@lifeline/testkit';
import type { BenchContext } from './context';

/**
 * Community populations that sum to `total`, deterministic for a seed: log-normal around the mean (σ = 0.6, so the
 * largest communities hold several times the smallest, as in the studied districts), every one at least 1.
 */
export function realisticPopulations(communities: number, total: number, seed: number): number[] {
  if (total < communities) throw new Error(`${total} residents cannot fill ${communities} communities`);
  const rand = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const weights = Array.from({ length: communities }, () => Math.exp(0.6 * normal()));
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - communities;
  const sizes = weights.map((w) => 1 + Math.floor((w / sum) * spare));
  // Floors leave a few residents over; the largest remainders get them, so the sum is exact.
  let left = total - sizes.reduce((a, b) => a + b, 0);
  const byRemainder = weights.map((w, i) => ({ i, r: (w / sum) * spare - Math.floor((w / sum) * spare) })).sort((a, b) => b.r - a.r);
  for (let k = 0; left > 0; k = (k + 1) % communities, left--) sizes[byRemainder[k]!.i]!++;
  return sizes;
}

/** Moves the city's residents (in order) into communities of the given sizes; units' populations follow. */
export function withPopulations(city: SyntheticCity, sizes: readonly number[]): SyntheticCity {
  const communities = city.units.filter((u) => u.level === 'community');
  if (communities.length !== sizes.length) throw new Error(`${sizes.length} sizes for ${communities.length} communities`);
  const population = new Map(communities.map((c, i) => [c.id, sizes[i]!]));
  const owner: string[] = communities.flatMap((c, i) => Array.from({ length: sizes[i]! }, () => c.id));
  if (owner.length !== city.residents.length) throw new Error(`${owner.length} places for ${city.residents.length} residents`);
  const place = new Map<string, number>();
  const residents = city.residents.map((r, k) => {
    const communityId = owner[k]!;
    const n = place.get(communityId) ?? 0;
    place.set(communityId, n + 1);
    // The same layout as buildCity: four grids, three buildings per grid.
    const grid = (n % 4) + 1;
    const building = (Math.floor(n / 4) % 3) + 1;
    return { ...r, communityId, gridId: `${communityId}-g${grid}`, buildingId: `${communityId}-g${grid}-b${building}` };
  });
  const units = city.units.map((u) => (u.level === 'community' ? { ...u, population: population.get(u.id) } : u));
  return { ...city, units, residents };
}

export interface BenchCity {
  shape: Omit<CityShape, 'today'>;
  communities: { id: string; districtId: string; population: number }[];
  residents: number;
}

const RESIDENT_CHUNK = 4_000;
const RESIDENTS_IN_FLIGHT = 3;

/**
 * Loads a city in slices (FerretDB's bulk upserts of thousands of documents outlast a request's timeout; units go
 * first, 10 a request, because each also upserts the communities' sites and stock targets), then the residents in
 * chunks of RESIDENT_CHUNK, RESIDENTS_IN_FLIGHT at once.
 */
async function seedCity(nc: NatsConnection, city: SyntheticCity, log: (line: string) => void): Promise<void> {
  const empty: SyntheticCity = { units: [], people: [], residents: [], depots: [], items: city.items, lots: [] };
  const slices = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  const started = performance.now();
  for (const units of slices(city.units, 10)) await sendCity(nc, { ...empty, units });
  for (const depots of slices(city.depots, 50)) await sendCity(nc, { ...empty, depots });
  for (const lots of slices(city.lots, 200)) await sendCity(nc, { ...empty, lots });
  for (const people of slices(city.people, 200)) await sendCity(nc, { ...empty, people });
  log(`seeded ${city.units.length} units, ${city.depots.length} depots, ${city.lots.length} lots, ${city.people.length} responders in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const chunks = slices(city.residents, RESIDENT_CHUNK);
  for (let k = 0; k < chunks.length; k += RESIDENTS_IN_FLIGHT) {
    await Promise.all(chunks.slice(k, k + RESIDENTS_IN_FLIGHT).map((residents) => call(nc, notification.seed, { residents }, { timeoutMs: 300_000 })));
  }
  log(`seeded ${city.residents.length} residents in ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
}

/**
 * A city of at least this shape on the context's stack, seeded by the first figure that asks. A bigger city asked
 * for later is seeded over the smaller one: buildCity's ids are deterministic, so it overwrites every community,
 * responder and resident of the smaller city (a drill's scope is whatever the roster holds, read from the incident).
 */
export function benchCity(ctx: BenchContext, shape: Omit<CityShape, 'today'>): Promise<BenchCity> {
  const existing = ctx.fixtures.get('city') as Promise<BenchCity> | undefined;
  const seeding = (async (): Promise<BenchCity> => {
    const held = await existing?.catch(() => undefined);
    if (held && held.shape.communities >= shape.communities && held.shape.residents >= shape.residents) return held;
    const plan = (await ctx.http<{ plan: PlanDocument }>('GET', '/v1/plans/community-drill', 'auditor')).body.plan;
    const built = buildCity({ ...shape, today: new Date().toISOString().slice(0, 10) });
    const city = withPopulations(drillCity(built, plan), realisticPopulations(shape.communities, shape.residents, shape.seed));
    await seedCity(ctx.nc, city, ctx.log);
    const parent = new Map(city.units.map((u) => [u.id, u.parentId]));
    const communities = city.units.filter((u) => u.level === 'community').map((u) => ({ id: u.id, districtId: parent.get(parent.get(u.id) ?? '') ?? '', population: u.population ?? 0 }));
    return { shape, communities, residents: city.residents.length };
  })();
  ctx.fixtures.set('city', seeding);
  return seeding;
}
