import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { supplies, type RequestOf, type suppliesContract } from '@lifeline/contracts';
import { call, type NatsConnection } from '@lifeline/platform';
import { connectAdmin } from '@lifeline/testkit';

/** What integration tests need: NATS as the admin user, the service's own database, ids unique to this run. */
export interface Harness {
  nc: NatsConnection;
  db: Connection;
  run: string;
  close(): Promise<void>;
}

export async function openHarness(name: string): Promise<Harness> {
  const nc = await connectAdmin(name);
  const db = mongoose.createConnection(process.env.MONGO_URL!, { dbName: 'lifeline_supplies' });
  await db.asPromise();
  return {
    nc,
    db,
    run: randomBytes(3).toString('hex'),
    close: async () => {
      await nc.close();
      await db.close();
    },
  };
}

export interface LotRow {
  _id: string;
  itemCode: string;
  condition: string;
  quantity: number;
  available: number;
  held: number;
  issued: number;
  /** Commits so far (0 = untouched since seeded). */
  v: number;
  /** The journal of the last commit. */
  pending?: string;
}
export interface HoldRow {
  _id: string;
  lotId: string;
  reservationId: string;
  quantity: number;
  state: string;
}

export const lotRow = async (db: Connection, id: string) => (await db.collection<LotRow>('lots').findOne({ _id: id }))!;

/** The holds of these reservations on these lots (by `_id $in`, the store's index; `lotId` alone would scan). */
export async function holdsOf(db: Connection, reservationIds: readonly string[], lotIds: readonly string[]): Promise<HoldRow[]> {
  const ids = reservationIds.flatMap((r) => lotIds.map((l) => `${r}@${l}`));
  const out: HoldRow[] = [];
  for (let i = 0; i < ids.length; i += 900) out.push(...(await db.collection<HoldRow>('holds').find({ _id: { $in: ids.slice(i, i + 900) } }).toArray()));
  return out;
}

type LotInput = suppliesContract.Lot;
const label = (name: string) => ({ zh: name, en: name });

/** A fresh community under a district under a city, each with a depot, and `items` items — ids unique to the run. */
export async function world(h: Harness, name: string, itemCount = 1) {
  const s = `${name}-${h.run}`;
  const ids = { community: `c-${s}`, communityDepot: `dc-${s}`, districtDepot: `dd-${s}`, cityDepot: `dx-${s}`, district: `district-${s}`, city: `city-${s}` };
  const items = Array.from({ length: itemCount }, (_, i) => (itemCount === 1 ? `item-${s}` : `item${i}-${s}`));
  await call(h.nc, supplies.seed, {
    depots: [
      { id: ids.cityDepot, name: label(name), level: 'city', areaId: ids.city },
      { id: ids.districtDepot, name: label(name), level: 'district', areaId: ids.district, parentId: ids.cityDepot },
      { id: ids.communityDepot, name: label(name), level: 'community', areaId: ids.community, parentId: ids.districtDepot },
    ],
    items: items.map((code) => ({ code, name: label(code), unit: 'piece', category: 'shelter' as const })),
    lots: [],
  });
  const lot = (id: string, quantity: number, over: Partial<Omit<LotInput, 'id' | 'quantity'>> = {}): LotInput => ({
    id: `${id}-${s}`,
    depotId: ids.communityDepot,
    itemCode: items[0]!,
    source: 'government',
    condition: 'good',
    quantity,
    ...over,
  });
  const reserve = (key: string, lines: { itemCode: string; quantity: number }[], incidentId: string, nc = h.nc) =>
    call(nc, supplies.reserve, { idempotencyKey: `${incidentId}:${s}:${key}`, incidentId, communityId: ids.community, lines }, { timeoutMs: 120_000 });
  const seedLots = (lots: LotInput[]) => call(h.nc, supplies.seed, { depots: [], items: [], lots } satisfies RequestOf<typeof supplies.seed>);
  return { ids, items, lot, reserve, seedLots, key: (k: string, incidentId: string) => `${incidentId}:${s}:${k}` };
}
