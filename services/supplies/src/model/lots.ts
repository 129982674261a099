import { setTimeout as sleep } from 'node:timers/promises';
import { Schema, type Connection, type Model } from 'mongoose';
import { LifelineError, type suppliesContract } from '@lifeline/contracts';

type Lot = suppliesContract.Lot;
import { isDuplicateKey } from '@lifeline/platform';
import { retryWhenBusy } from './busy';
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

  /** The latest revision this process saw per lot: where decisions start and the walk to the newest revision begins. */
  private readonly seen = new Map<string, LotMovementDoc>();

  /**
   * The lot's stock as of its latest revision (the truth; the lot document may lag after a crash). Starts at the
   * latest revision this process saw (or the one the lot document mirrors) and walks forward by `_id`, the one
   * lookup every store answers from an index.
   */
  async latest(lotId: string): Promise<LotMovementDoc> {
    const find = (revision: number) => this.movements.findById(movementId(lotId, revision)).lean<LotMovementDoc>();
    let current = this.seen.get(lotId) ?? (await find((await this.lots.findById(lotId, { revision: 1 }).lean())?.revision ?? 0));
    if (!current) throw new LifelineError('not_found', `lot ${lotId} has no stock`, { lotId });
    for (let next = await find(current.revision + 1); next; next = await find(next.revision + 1)) current = next;
    this.seen.set(lotId, current);
    return current;
  }

  /** Changes waiting per lot in this process: the tail of each lot's queue, and how many are in it. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly waiting = new Map<string, number>();
  /** Revisions written but not yet mirrored: the last change of a burst mirrors once for all of them. */
  private readonly unmirrored = new Map<string, LotMovementDoc>();

  /**
   * Apply a pure stock change to a lot, retrying on a lost race; returns what the change reports. Changes to one lot
   * from this process run one after another, so they do not spend the store's time beating each other to the next
   * revision (measured: 200 concurrent reservations on 10 items stalled for minutes on lost races); the unique
   * revision still decides between processes.
   */
  change<T>(lotId: string, kind: LotMovementDoc['kind'], reservationId: string, decide: (stock: LotStock) => StockChange<T>): Promise<T> {
    const previous = this.queues.get(lotId) ?? Promise.resolve();
    this.waiting.set(lotId, (this.waiting.get(lotId) ?? 0) + 1);
    const mine = previous
      .catch(() => undefined)
      .then(() => this.changeNow(lotId, kind, reservationId, decide))
      .finally(async () => {
        const left = (this.waiting.get(lotId) ?? 1) - 1;
        if (left > 0) return void this.waiting.set(lotId, left);
        this.waiting.delete(lotId);
        const unmirrored = this.unmirrored.get(lotId);
        if (!unmirrored) return;
        // The change itself is durable; a mirror that fails (store busy) stays pending for the lot's next change.
        try {
          await retryWhenBusy(() => this.mirror(unmirrored));
          if (this.unmirrored.get(lotId) === unmirrored) this.unmirrored.delete(lotId);
        } catch {
          return;
        }
      });
    const tail = mine.catch(() => undefined);
    this.queues.set(lotId, tail);
    void tail.then(() => {
      if (this.queues.get(lotId) === tail) this.queues.delete(lotId);
    });
    return mine;
  }

  /**
   * The revision to decide on: the last one this process saw, else the one the lot document mirrors (it carries the
   * stock of that revision). FerretDB 1.24's SQLite backend never uses its `_id` index for a lookup (the index is on
   * `sjson->"_id"`, queries ask for `sjson->'$._id'`: every lookup scans the table, 180 ms at 2,700 movements), so the
   * growing ledger is only written on the hot path; the newest revision is found by trying to write the next one.
   */
  private async guess(lotId: string): Promise<LotMovementDoc> {
    const seen = this.seen.get(lotId);
    if (seen) return seen;
    const lot = await this.lots.findById(lotId, { quantity: 1, available: 1, holds: 1, revision: 1 }).lean();
    if (!lot) return this.latest(lotId);
    return { _id: movementId(lotId, lot.revision), lotId, revision: lot.revision, kind: 'seed', at: new Date(0), ...stockOf(lot) };
  }

  private async changeNow<T>(lotId: string, kind: LotMovementDoc['kind'], reservationId: string, decide: (stock: LotStock) => StockChange<T>): Promise<T> {
    let current = await this.guess(lotId);
    let verified = false;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const { next, result } = decide(stockOf(current));
      if (!next) {
        // "Nothing to do" must hold for the newest revision, not just for the one in view. It does when the view
        // already shows this reservation's hold (only its own claimed command moves it, always forward) or when this
        // is a hold (a stale view can only under-promise, never oversell). Otherwise read the newest revision.
        if (verified || kind === 'hold' || current.holds.some((h) => h.reservationId === reservationId)) return result;
        current = await this.latest(lotId);
        verified = true;
        continue;
      }
      const revision = current.revision + 1;
      const movement: LotMovementDoc = { _id: movementId(lotId, revision), lotId, revision, kind, reservationId, at: new Date(), ...next };
      try {
        await this.movements.collection.insertOne(movement as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Another writer took that revision: it exists, so reading it is a hit; decide again on it.
        current = (await this.movements.findById(movement._id).lean<LotMovementDoc>()) ?? (await this.latest(lotId));
        this.seen.set(lotId, current);
        if (attempt > 3) await sleep(Math.random() * Math.min(50, attempt * 2));
        continue;
      }
      this.seen.set(lotId, movement);
      this.unmirrored.set(lotId, movement);
      return result;
    }
    throw new LifelineError('unavailable', `lot ${lotId} is busy, retry`, { lotId });
  }

  /**
   * Bring the lot document up to a revision. Changes to a lot are queued per process, so they land in order. The
   * document is only read (HTTP, readiness); every stock decision reads the ledger, so a mirror that lags after a crash or a race between
   * processes is harmless and the lot's next movement repairs it.
   */
  private async mirror(target: LotMovementDoc): Promise<void> {
    // Filter on `_id` alone: FerretDB turns any further condition into a scan of the collection (measured 120 ms vs 8 ms).
    await this.lots.updateOne({ _id: target.lotId }, { $set: { ...stockOf(target), revision: target.revision } });
  }
}
