import type { Model } from 'mongoose';

type Doc = Record<string, unknown> & { _id: string };

/** Yield to the event loop, so operations of concurrent callers interleave the way they do against a real store. */
const tick = () => new Promise((r) => setImmediate(r));

function matches(doc: Doc | undefined, filter: Record<string, unknown>): doc is Doc {
  if (!doc) return false;
  return Object.entries(filter).every(([k, want]) => {
    if (want && typeof want === 'object' && '$exists' in want) return (doc[k] !== undefined) === (want as { $exists: boolean }).$exists;
    return doc[k] === want;
  });
}

function update(doc: Doc, u: { $inc?: Record<string, number>; $set?: Record<string, unknown>; $max?: Record<string, string>; $unset?: Record<string, unknown>; $push?: Record<string, unknown> }): void {
  for (const [k, n] of Object.entries(u.$inc ?? {})) doc[k] = ((doc[k] as number | undefined) ?? 0) + n;
  for (const [k, v] of Object.entries(u.$max ?? {})) if (doc[k] === undefined || (doc[k] as string) < v) doc[k] = v;
  for (const [k, v] of Object.entries(u.$set ?? {})) doc[k] = v;
  for (const k of Object.keys(u.$unset ?? {})) delete doc[k];
  for (const [k, v] of Object.entries(u.$push ?? {})) doc[k] = [...((doc[k] as unknown[] | undefined) ?? []), v];
}

/**
 * An in-memory collection with the operations the lot writer uses, each atomic per document like the store's
 * (single-threaded, with a yield before each), and a switch to make the next writes fail (a crash or an outage).
 */
export class FakeCollection {
  readonly docs = new Map<string, Doc>();
  updates = 0;
  /** `find` commands received. */
  reads = 0;
  /** `bulkWrite` commands received. */
  bulks = 0;
  failNext = 0;
  /** While set, inserts wait for it (a slow store). */
  gate: Promise<void> | undefined;

  private async maybeFail(): Promise<void> {
    await tick();
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('store unavailable');
    }
  }

  async findOne(filter: { _id: string }) {
    await tick();
    const doc = this.docs.get(filter._id);
    return doc ? structuredClone(doc) : null;
  }

  /** `{_id: {$in}}`, or equalities on other fields (in insertion order, up to `limit`). */
  find(filter: { _id: { $in: string[] } } | Record<string, string>, opts: { limit?: number } = {}) {
    const found = () =>
      '_id' in filter
        ? (filter as { _id: { $in: string[] } })._id.$in.flatMap((id) => (this.docs.has(id) ? [this.docs.get(id)!] : []))
        : [...this.docs.values()].filter((d) => Object.entries(filter).every(([k, v]) => d[k] === v));
    this.reads++;
    return { toArray: async () => (await tick(), found().slice(0, opts.limit ?? Infinity).map((d) => structuredClone(d))) };
  }

  async updateOne(filter: Record<string, unknown> & { _id: string }, u: Parameters<typeof update>[1]) {
    await this.maybeFail();
    this.updates++;
    const doc = this.docs.get(filter._id);
    if (!matches(doc, filter)) return { matchedCount: 0 };
    update(doc, u);
    return { matchedCount: 1 };
  }

  async insertOne(doc: Doc) {
    await this.insertMany([doc]);
  }

  async deleteMany(filter: { _id: { $in: string[] } }) {
    await this.maybeFail();
    for (const id of filter._id.$in) this.docs.delete(id);
  }

  async insertMany(docs: Doc[]) {
    await this.gate;
    await this.maybeFail();
    const writeErrors: { code: number; index: number }[] = [];
    docs.forEach((d, index) => (this.docs.has(d._id) ? writeErrors.push({ code: 11000, index }) : this.docs.set(d._id, structuredClone(d))));
    if (writeErrors.length) throw Object.assign(new Error('E11000 duplicate key'), { writeErrors });
  }

  /** Like the store's: one command, each statement atomic on its own, only the total matched reported. */
  async bulkWrite(ops: { updateOne: { filter: Record<string, unknown> & { _id: string }; update: Parameters<typeof update>[1] } }[]) {
    await this.maybeFail();
    this.bulks++;
    let matchedCount = 0;
    for (const { updateOne } of ops) {
      const doc = this.docs.get(updateOne.filter._id);
      if (matches(doc, updateOne.filter)) {
        update(doc, updateOne.update);
        matchedCount++;
      }
    }
    return { matchedCount };
  }
}

/** A stand-in for a mongoose model: what the writer touches is `model.collection`; `find` answers `{}` and `{createdAt: {$lt}}`. */
export const fakeModel = <T>(collection: FakeCollection) =>
  ({
    collection,
    find: (filter: { createdAt?: { $lt: Date } }) => ({
      lean: () => ({
        exec: async () => {
          await tick();
          return [...collection.docs.values()].filter((d) => !filter.createdAt || (d.createdAt as Date) < filter.createdAt.$lt).map((d) => structuredClone(d));
        },
      }),
    }),
  }) as unknown as Model<T>;
