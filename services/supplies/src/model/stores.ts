import type { Connection, Model } from 'mongoose';
import { findByIds, LotDirectory } from './directory';
import { LotLedger, lotModel, lotMovementModel, type LotDoc, type LotMovementDoc } from './lots';
import { reservationModel, type ReservationDoc } from './reservations';
import { depotChain, depotModel, itemModel, type DepotDoc, type ItemDoc } from './stock';

/** The supplies database as the handlers use it: models, the lot ledger and the in-memory lookups FerretDB needs. */
export interface Stores {
  depots: Model<DepotDoc>;
  items: Model<ItemDoc>;
  lots: Model<LotDoc>;
  movements: Model<LotMovementDoc>;
  reservations: Model<ReservationDoc>;
  ledger: LotLedger;
  directory: LotDirectory;
  /** Depots a community draws from with their distance (0 = its own stockpile), cached for a minute. */
  chainOf(communityId: string): Promise<Map<string, number>>;
  /** Every depot, cached for a minute (one scan). */
  allDepots(): Promise<Map<string, DepotDoc>>;
  /** Forget cached depots and chains (after a seed changed depots). */
  forgetChains(): void;
  /** Item codes that are not in the catalogue. */
  unknownItems(codes: readonly string[]): Promise<string[]>;
}

export function openStores(db: Connection, lotAttempts: number): Stores {
  const depots = depotModel(db);
  const items = itemModel(db);
  const lots = lotModel(db);
  const movements = lotMovementModel(db);
  const chains = new Map<string, { at: number; rank: Promise<Map<string, number>> }>();
  const knownItems = new Set<string>();
  let everyDepot: { at: number; depots: Promise<Map<string, DepotDoc>> } | undefined;
  return {
    depots,
    items,
    lots,
    movements,
    reservations: reservationModel(db),
    ledger: new LotLedger(lots, movements, lotAttempts),
    directory: new LotDirectory(lots),
    chainOf(communityId) {
      const cached = chains.get(communityId);
      if (cached && Date.now() - cached.at < 60_000) return cached.rank;
      const rank = depotChain(depots, communityId);
      chains.set(communityId, { at: Date.now(), rank });
      rank.catch(() => chains.delete(communityId));
      return rank;
    },
    allDepots() {
      if (!everyDepot || Date.now() - everyDepot.at > 60_000) {
        everyDepot = { at: Date.now(), depots: depots.find({}).lean().then((all) => new Map(all.map((d) => [d._id, d]))) };
      }
      return everyDepot.depots;
    },
    forgetChains: () => {
      chains.clear();
      everyDepot = undefined;
    },
    async unknownItems(codes) {
      const missing = [...new Set(codes)].filter((c) => !knownItems.has(c));
      for (const item of await findByIds(items, missing)) knownItems.add(item._id);
      return missing.filter((c) => !knownItems.has(c));
    },
  };
}

/** Insert documents whose `_id` is not taken yet; existing ones are left as they are. */
export async function insertIfAbsent(model: Model<never> | { collection: { insertMany(docs: never[], opts: { ordered: boolean }): Promise<unknown> } }, docs: object[]): Promise<void> {
  if (docs.length === 0) return;
  await model.collection.insertMany(docs as never[], { ordered: false }).catch((err: unknown) => {
    const writeErrors = (err as { writeErrors?: { code?: number }[] | { code?: number } }).writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (list.length === 0 || list.some((e) => e.code !== 11000)) throw err;
  });
}
