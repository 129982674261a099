import type { Model } from 'mongoose';
import type { suppliesContract } from '@lifeline/contracts';
import type { LotDoc } from './lots';

/** What never changes about a lot (item, depot, expiry) plus its condition, which only inspections change. */
export interface LotFacts {
  id: string;
  depotId: string;
  itemCode: string;
  expiresOn?: string | undefined;
  condition: suppliesContract.Lot['condition'];
}

/**
 * The lots of each item per depot, kept in memory. A reservation needs them once per line over its whole depot
 * chain; before the store's `sqlite-index-eq` patch `find({itemCode, depotId})` scanned the lots collection (38 ms
 * at 170 lots, growing with the city), and even from the index it is a round trip per line that memory saves. Lots
 * this process seeds or inspects are updated at once; changes made by another instance appear at the next refresh
 * (`refreshMs`). Stock figures are never cached here: every stock
 * decision is the lot writer's (`lotWriter.ts`).
 */
export class LotDirectory {
  private byItem = new Map<string, Map<string, Map<string, LotFacts>>>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  private addedWhileLoading: LotFacts[] | undefined;

  constructor(
    private readonly lots: Model<LotDoc>,
    private readonly refreshMs = 60_000,
  ) {}

  /** Add or update lots this process has just written. */
  add(entries: readonly LotFacts[]): void {
    this.addedWhileLoading?.push(...entries);
    for (const { id, depotId, itemCode, expiresOn, condition } of entries) {
      const depots = this.byItem.get(itemCode) ?? new Map<string, Map<string, LotFacts>>();
      this.byItem.set(itemCode, depots);
      const lots = depots.get(depotId) ?? new Map<string, LotFacts>();
      depots.set(depotId, lots);
      lots.set(id, { id, depotId, itemCode, expiresOn, condition });
    }
  }

  /** The lots of an item in the given depots. */
  async lotsOf(itemCode: string, depotIds: Iterable<string>): Promise<LotFacts[]> {
    await this.fresh();
    const depots = this.byItem.get(itemCode);
    if (!depots) return [];
    return [...depotIds].flatMap((d) => [...(depots.get(d)?.values() ?? [])]);
  }

  /** Every lot of an item, wherever it is. */
  async allOf(itemCode: string): Promise<LotFacts[]> {
    await this.fresh();
    return [...(this.byItem.get(itemCode)?.values() ?? [])].flatMap((lots) => [...lots.values()]);
  }

  private fresh(): Promise<void> {
    if (Date.now() - this.loadedAt < this.refreshMs) return Promise.resolve();
    this.loading ??= this.reload().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async reload(): Promise<void> {
    this.addedWhileLoading = [];
    try {
      const all = await this.lots.find({}, { _id: 1, itemCode: 1, depotId: 1, expiresOn: 1, condition: 1 }).lean();
      const meanwhile = this.addedWhileLoading;
      this.addedWhileLoading = undefined;
      this.byItem = new Map();
      this.add(all.map((l) => ({ id: l._id, itemCode: l.itemCode, depotId: l.depotId, expiresOn: l.expiresOn, condition: l.condition })));
      this.add(meanwhile);
      this.loadedAt = Date.now();
    } finally {
      this.addedWhileLoading = undefined;
    }
  }
}
