import { PHASES, type PlanDocument } from '@lifeline/contracts';
import type { NatsConnection } from '@lifeline/platform';
import type { SyntheticCity } from './city';
import { sendCity } from './send';

/**
 * Load a big city in slices: the services upsert with bulk writes, which on FerretDB take long enough for
 * thousands of documents that one request would time out (and hundreds of unit upserts in one bulk write have
 * locked the store), so 50 documents a request. Units go first (people and residents name them).
 */
export async function sendCityInSlices(nc: NatsConnection, city: SyntheticCity, size = 50): Promise<{ people: number; residents: number }> {
  const empty: SyntheticCity = { units: [], people: [], residents: [], depots: [], items: city.items, lots: [] };
  const slices = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  for (const units of slices(city.units)) await sendCity(nc, { ...empty, units });
  for (const depots of slices(city.depots)) await sendCity(nc, { ...empty, depots });
  for (const lots of slices(city.lots)) await sendCity(nc, { ...empty, lots });
  for (const people of slices(city.people)) await sendCity(nc, { ...empty, people });
  for (const residents of slices(city.residents)) await sendCity(nc, { ...empty, residents });
  return { people: city.people.length, residents: city.residents.length };
}

/**
 * A big drill city trimmed to what a plan's drill touches, so it loads in minutes on FerretDB (upserts of existing
 * documents take ~0.1 s each there): units down to communities (no grids or buildings) and only the responders
 * whose roles the plan dispatches. Residents and stock stay whole.
 */
export function drillCity(city: SyntheticCity, plan: PlanDocument): SyntheticCity {
  const roles = new Set(PHASES.flatMap((phase) => plan.phases[phase]).flatMap((step) => (step.kind === 'dispatch' ? [step.role] : [])));
  const levels = new Set(['district', 'sub-district', 'community']);
  return { ...city, units: city.units.filter((u) => levels.has(u.level)), people: city.people.filter((p) => roles.has(p.type)) };
}
