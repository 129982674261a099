import type { Model } from 'mongoose';
import { Batched } from './batch';
import type { GuardedUpdate, JournaledDoc } from './journal';

/**
 * Guarded updates of different documents that are ready at the same time go out as ONE `bulkWrite` (unordered).
 * The local store runs a bulk's statements in one SQLite transaction (FerretDB patch `one-transaction-per-command`,
 * docs/SERVICE-SHAPE.md "The store": ~2,400 statements/s in bulks against ~650/s one `updateOne` at a time), and each
 * command takes a place in the write lane; under load every hot lot commits at once, so a round of commits is one
 * command, gathered when the lane lets it go (`Batched`'s `through`).
 *
 * The store answers a bulk with the number of documents matched, not which: when fewer matched than were sent (another
 * process committed one of them first), the documents are read back and a commit landed where its `by` token is.
 * A landed commit judged missed (another process committed on top of it before the read) is only reloaded and decided
 * again, which the journal makes harmless.
 */
export class GuardedUpdates<Doc extends JournaledDoc> {
  private readonly rounds: Batched<GuardedUpdate, boolean>;

  constructor(model: Model<Doc>, write: <T>(op: () => Promise<T>) => Promise<T>, opts = { max: 200, parallel: 2 }) {
    this.rounds = new Batched((ops: GuardedUpdate[]) => applyAll(model, ops), { ...opts, through: write });
  }

  /** Whether the update landed (false: the document was no longer at `v`). */
  apply(op: GuardedUpdate): Promise<boolean> {
    return this.rounds.call(op);
  }
}

const signed = (op: GuardedUpdate) => ({ $inc: op.update.$inc, $set: { ...op.update.$set, by: op.by } }) as never;

async function applyAll<Doc extends JournaledDoc>(model: Model<Doc>, ops: GuardedUpdate[]): Promise<boolean[]> {
  const only = ops.length === 1 ? ops[0]! : undefined;
  if (only) return [(await model.collection.updateOne({ _id: only.id, v: only.v } as never, signed(only))).matchedCount === 1];
  const res = await model.collection.bulkWrite(
    ops.map((op) => ({ updateOne: { filter: { _id: op.id, v: op.v } as never, update: signed(op) } })),
    { ordered: false },
  );
  if (res.matchedCount === ops.length) return ops.map(() => true);
  const back = await model.collection.find({ _id: { $in: ops.map((op) => op.id) } } as never, { projection: { by: 1 } }).toArray();
  const now = new Map(back.map((d) => [String(d._id), d.by as unknown]));
  return ops.map((op) => now.get(op.id) === op.by);
}
