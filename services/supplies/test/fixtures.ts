import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { supplies, type RequestOf, type suppliesContract } from '@lifeline/contracts';
import { call, connectNats, type NatsConnection } from '@lifeline/platform';

/** What integration tests need: NATS as the admin user, the service's own database, ids unique to this run. */
export interface Harness {
  nc: NatsConnection;
  db: Connection;
  run: string;
  close(): Promise<void>;
}

export async function openHarness(name: string): Promise<Harness> {
  const nc = await connectNats({ NATS_URL: process.env.NATS_URL!, NATS_USER: process.env.NATS_USER, NATS_PASSWORD: process.env.NATS_PASSWORD }, name);
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
  quantity: number;
  available: number;
  revision: number;
  condition: string;
  holds: { reservationId: string; quantity: number; state: string }[];
}
export interface MovementRow extends Omit<LotRow, 'itemCode' | 'condition'> {
  lotId: string;
  kind: string;
  reservationId?: string;
}

export const lotRow = async (db: Connection, id: string) => (await db.collection<LotRow>('lots').findOne({ _id: id }))!;
export const heldUnits = (lot: Pick<LotRow, 'holds'>) => lot.holds.filter((h) => h.state === 'held').reduce((s, h) => s + h.quantity, 0);
/** Every revision of a lot, oldest first (exact `_id` lookups, the one query FerretDB answers from an index). */
export async function movementsOf(db: Connection, lotId: string): Promise<MovementRow[]> {
  const out: MovementRow[] = [];
  for (let rev = 0; ; rev++) {
    const m = await db.collection<MovementRow>('lotmovements').findOne({ _id: `${lotId}:${rev}` });
    if (!m) return out;
    out.push(m);
  }
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
