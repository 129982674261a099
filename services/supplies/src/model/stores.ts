import type { Connection, Model } from 'mongoose';
import { Batched } from './batch';
import { LotDirectory } from './directory';
import { findByIds } from './docs';
import { holdModel, lotModel, type HoldDoc, type LotDoc } from './lots';
import { LotWriter } from './lotWriter';
import { outboxModel, type MarkDoc } from './outbox';
import { WriteLane } from './writeLane';
import { reservationModel, type ReservationDoc } from './reservations';
import { depotChain, depotModel, itemModel, type DepotDoc, type ItemDoc } from './stock';

/** The supplies database as the handlers use it: models, the lot writer and the in-memory lookups FerretDB needs. */
export interface Stores {
  depots: Model<DepotDoc>;
  items: Model<ItemDoc>;
  lots: Model<LotDoc>;
  holds: Model<HoldDoc>;
  reservations: Model<ReservationDoc>;
  /** Marks of documents whose events may not be out yet (`Outbox`). */
  outbox: Model<MarkDoc>;
  /** The one way stock changes: per lot, group-committed, journaled. */
  writer: LotWriter;
  /** Every hot-path write goes through here (see `WriteLane`). */
  lane: WriteLane;
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

export function openStores(db: Connection, opts: { lotAttempts: number; storeWriters: number }): Stores {
  const lane = new WriteLane(opts.storeWriters);
  const depots = depotModel(db);
  const items = itemModel(db);
  const lots = lotModel(db);
  const holds = holdModel(db);
  const chains = new Map<string, { at: number; rank: Promise<Map<string, number>> }>();
  const knownItems = new Set<string>();
  // Requests arriving together ask about their items in one lookup (200 concurrent first requests made 200 of them).
  const itemLookups = new Batched(async (codes: string[]) => {
    for (const item of await findByIds(items, codes)) knownItems.add(item._id);
    return codes.map((c) => knownItems.has(c));
  });
  let everyDepot: { at: number; depots: Promise<Map<string, DepotDoc>> } | undefined;
  return {
    depots,
    items,
    lots,
    holds,
    reservations: reservationModel(db),
    outbox: outboxModel(db),
    writer: new LotWriter(lots, holds, { attempts: opts.lotAttempts, lane }),
    lane,
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
      const known = await Promise.all(missing.map((c) => itemLookups.call(c)));
      return missing.filter((_, i) => !known[i]);
    },
  };
}
