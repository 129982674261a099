import { LifelineError, notification, personnel, supplies } from '@lifeline/contracts';
import { call, type NatsConnection } from '@lifeline/platform';
import type { SyntheticCity } from './city';
import { suppliesExtras } from './supplies-extras';

const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export interface SeedCounts {
  units: number;
  people: number;
  residents: number;
  depots: number;
  lots: number;
}

/** Load a city into the services that own each part, through their seed endpoints (idempotent upserts). */
export async function sendCity(nc: NatsConnection, city: SyntheticCity, onProgress: (what: string, done: number, total: number) => void = () => {}): Promise<SeedCounts> {
  const counts: SeedCounts = { units: 0, people: 0, residents: 0, depots: 0, lots: 0 };
  for (const units of chunks(city.units, 5000)) {
    counts.units += (await call(nc, personnel.seed, { units, people: [] }, { timeoutMs: 60_000 })).units;
  }
  for (const people of chunks(city.people, 5000)) {
    counts.people += (await call(nc, personnel.seed, { units: [], people }, { timeoutMs: 60_000 })).people;
    onProgress('people', counts.people, city.people.length);
  }
  for (const partyUnits of chunks(city.partyUnits ?? [], 5000)) await call(nc, personnel.seed, { units: [], people: [], partyUnits }, { timeoutMs: 60_000 });
  const stock = await call(nc, supplies.seed, { depots: city.depots, items: city.items, lots: city.lots, ...suppliesExtras(city) }, { timeoutMs: 60_000 });
  counts.depots = stock.depots;
  counts.lots = stock.lots;
  for (const residents of chunks(city.residents, 5000)) {
    counts.residents += (await call(nc, notification.seed, { residents }, { timeoutMs: 120_000 })).residents;
    onProgress('residents', counts.residents, city.residents.length);
  }
  return counts;
}

/** True when the roster already holds a city (any district). */
export async function cityExists(nc: NatsConnection): Promise<boolean> {
  try {
    const resolved = await call(nc, personnel.resolveArea, { area: { cityWide: true } });
    return resolved.districts.length > 0;
  } catch (err) {
    if (err instanceof LifelineError && err.code === 'not_found') return false;
    throw err;
  }
}
