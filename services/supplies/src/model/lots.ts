import { setTimeout as sleep } from 'node:timers/promises';
import { Schema, type Connection, type Model } from 'mongoose';
import { LifelineError, type suppliesContract } from '@lifeline/contracts';

type Lot = suppliesContract.Lot;
import { isDuplicateKey } from '@lifeline/platform';
import type { LotStock, StockChange } from '../domain/lotStock';

/** A lot: what it is (static, from seed) plus a projection of its latest stock revision. */
export type LotDoc = Omit<Lot, 'id' | 'quantity'> & LotStock & { _id: string; revision: number };

/** One revision of a lot's stock: `_id` = `<lotId>:<revision>`, so two writers can never both add revision n. */
export type LotMovementDoc = LotStock & {
  _id: string;
  lotId: string;
  revision: number;
  kind: 'seed' | 'hold' | 'issue' | 'return' | 'release';
  reservationId?: string;
  at: Date;
};

const holdSchema = new Schema(
  { reservationId: { type: String, required: true }, quantity: { type: Number, required: true }, state: { type: String, required: true } },
  { _id: false },
);
const stockFields = { quantity: { type: Number, required: true }, available: { type: Number, required: true }, holds: { type: [holdSchema], default: [] } };

const lotSchema = new Schema<LotDoc>(
  {
    _id: { type: String, required: true },
    depotId: { type: String, required: true },
    itemCode: { type: String, required: true },
    expiresOn: { type: String },
    source: { type: String, required: true },
    condition: { type: String, required: true },
    revision: { type: Number, required: true },
    ...stockFields,
  },
  { collection: 'lots', versionKey: false },
);
lotSchema.index({ itemCode: 1, depotId: 1 });
lotSchema.index({ depotId: 1 });

const movementSchema = new Schema<LotMovementDoc>(
  {
    _id: { type: String, required: true },
    lotId: { type: String, required: true },
    revision: { type: Number, required: true },
    kind: { type: String, required: true },
    reservationId: { type: String },
    at: { type: Date, required: true },
    ...stockFields,
  },
  { collection: 'lotmovements', versionKey: false },
);

export const lotModel = (db: Connection): Model<LotDoc> => db.models.Lot ?? db.model<LotDoc>('Lot', lotSchema);
export const lotMovementModel = (db: Connection): Model<LotMovementDoc> => db.models.LotMovement ?? db.model<LotMovementDoc>('LotMovement', movementSchema);

export const movementId = (lotId: string, revision: number) => `${lotId}:${revision}`;
const stockOf = (m: LotStock): LotStock => ({ quantity: m.quantity, available: m.available, holds: m.holds.map((h) => ({ reservationId: h.reservationId, quantity: h.quantity, state: h.state })) });

/**
 * The stock ledger. Every change to a lot appends its next revision to `lotmovements`, whose unique `_id` is the
 * compare-and-set: of two writers that read revision n, exactly one inserts n+1, the other re-reads and decides
 * again. The lot document only mirrors the latest revision for reads.
 *
 * Why not one conditional `updateOne({available: {$gte: q}}, {$inc: …})`: on MongoDB that is atomic, but the
 * FerretDB 1.x store reads, filters and rewrites a document without a transaction, so concurrent conditional
 * updates all "match" and lose each other's writes (oversell). Unique-index inserts are atomic on both.
 */
export class LotLedger {
  constructor(
    private readonly lots: Model<LotDoc>,
    private readonly movements: Model<LotMovementDoc>,
    private readonly attempts: number,
  ) {}

  /**
   * The lot's stock as of its latest revision (the truth; the lot document may lag after a crash). Starts at the
   * revision the lot document mirrors and walks forward by `_id`, the one lookup every store answers from an index.
   */
  async latest(lotId: string): Promise<LotMovementDoc> {
    const lot = await this.lots.findById(lotId, { revision: 1 }).lean();
    const find = (revision: number) => this.movements.findById(movementId(lotId, revision)).lean<LotMovementDoc>();
    let current = await find(lot?.revision ?? 0);
    if (!current) throw new LifelineError('not_found', `lot ${lotId} has no stock`, { lotId });
    for (let next = await find(current.revision + 1); next; next = await find(next.revision + 1)) current = next;
    return current;
  }

  /** Apply a pure stock change to a lot, retrying on a lost race; returns what the change reports. */
  async change<T>(lotId: string, kind: LotMovementDoc['kind'], reservationId: string, decide: (stock: LotStock) => StockChange<T>): Promise<T> {
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const current = await this.latest(lotId);
      const { next, result } = decide(stockOf(current));
      if (!next) {
        await this.mirror(current);
        return result;
      }
      const revision = current.revision + 1;
      const movement: LotMovementDoc = { _id: movementId(lotId, revision), lotId, revision, kind, reservationId, at: new Date(), ...next };
      try {
        await this.movements.collection.insertOne(movement as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await sleep(Math.random() * Math.min(50, 2 + attempt * 2));
        continue;
      }
      await this.mirror(movement);
      return result;
    }
    throw new LifelineError('unavailable', `lot ${lotId} is busy, retry`, { lotId });
  }

  /**
   * Bring the lot document up to the latest revision. Checked again after writing because on FerretDB a slow
   * writer's older revision can land after a newer one; whoever writes last re-checks and repairs.
   */
  private async mirror(known: LotMovementDoc): Promise<void> {
    let target = known;
    for (let round = 0; round < 5; round++) {
      await this.lots.updateOne({ _id: target.lotId, revision: { $lt: target.revision } }, { $set: { ...stockOf(target), revision: target.revision } });
      const latest = await this.latest(target.lotId);
      if (latest.revision === target.revision) {
        const doc = await this.lots.findById(target.lotId, { revision: 1 }).lean();
        if (!doc || doc.revision >= target.revision) return;
      }
      target = latest;
    }
  }
}
