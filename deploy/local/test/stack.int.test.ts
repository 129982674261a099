import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import { Connection } from '@temporalio/client';
import { MongoBulkWriteError, MongoClient } from 'mongodb';
import { loadOrCreateSecrets, stackConfig } from '@lifeline/local-stack';
import { testStack } from '@lifeline/testkit';

const stack = testStack();
const secrets = loadOrCreateSecrets(stackConfig().dataDir);
const connectAs = (user: string, pass: string) => connect({ servers: stack.natsUrl, user, pass, maxReconnectAttempts: 0, timeout: 3000 });

/** The first publish-permission violation the server reports on this connection, or undefined within `ms`. */
async function publishViolation(nc: NatsConnection, ms = 1500): Promise<PermissionViolationError | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  const watch = (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'error' && s.error instanceof PermissionViolationError && s.error.operation === 'publish') return s.error;
    }
    return undefined;
  })();
  try {
    return await Promise.race([watch, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the local stack infrastructure', () => {
  it('NATS accepts the admin user and rejects a wrong password', async () => {
    const nc = await connectAs(stack.natsUser, stack.natsPassword);
    await nc.flush();
    await nc.close();
    await expect(connectAs('admin', 'not-the-password')).rejects.toThrow(/Authorization Violation/i);
  });

  it('NATS lets supplies publish its own events but not personnel’s', async () => {
    const nc = await connectAs('supplies', secrets.nats.supplies);
    try {
      const own = publishViolation(nc);
      nc.publish('lifeline.evt.supplies.stack-test');
      await nc.flush();
      expect(await own).toBeUndefined();

      const forged = publishViolation(nc);
      nc.publish('lifeline.evt.personnel.x');
      await nc.flush();
      const violation = await forged;
      expect(violation?.subject).toBe('lifeline.evt.personnel.x');
    } finally {
      await nc.close();
    }
  });

  it('Temporal answers and knows the Lifeline search attributes', async () => {
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: stack.temporalNamespace });
      expect(customAttributes?.LifelineIncidentId).toBe(2); // KEYWORD
      expect(customAttributes?.LifelineDistrict).toBe(7); // KEYWORD_LIST
      expect(customAttributes?.LifelineDrill).toBe(5); // BOOL
    } finally {
      await connection.close();
    }
  });

  it('the store answers ping and enforces a unique index', async () => {
    const client = await new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 5000 }).connect();
    const db = client.db(`stack_test_${randomUUID().slice(0, 8)}`);
    try {
      expect((await db.command({ ping: 1 })).ok).toBe(1);
      const col = db.collection<{ key: string }>('unique_check');
      await col.createIndex({ key: 1 }, { unique: true });
      await col.insertOne({ key: 'a' });
      await expect(col.insertOne({ key: 'a' })).rejects.toMatchObject({ code: 11000, message: expect.stringContaining('E11000') });
    } finally {
      await db.dropDatabase();
      await client.close();
    }
  });

  it('the store finds a document by _id through its _id index, not a scan (FerretDB patch sqlite-id-index)', async () => {
    const client = await new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 5000 }).connect();
    const db = client.db(`stack_test_${randomUUID().slice(0, 8)}`);
    try {
      const col = db.collection<{ _id: string; n: number }>('by_id');
      await col.insertMany(Array.from({ length: 50 }, (_, n) => ({ _id: `doc-${n}`, n })));
      const explained = await db.command({ explain: { find: 'by_id', filter: { _id: 'doc-7' } } });
      expect(JSON.stringify(explained.queryPlanner)).toMatch(/USING INDEX \S+__id_/);
      // Same answers as a scan would give: a hit, a miss, an update by _id and the unique _id.
      await expect(col.findOne({ _id: 'doc-7' })).resolves.toEqual({ _id: 'doc-7', n: 7 });
      await expect(col.findOne({ _id: 'doc-none' })).resolves.toBeNull();
      await col.updateOne({ _id: 'doc-8' }, { $set: { n: -8 } });
      await expect(col.findOne({ _id: 'doc-8' })).resolves.toEqual({ _id: 'doc-8', n: -8 });
      await expect(col.insertOne({ _id: 'doc-9', n: 0 })).rejects.toMatchObject({ code: 11000 });
    } finally {
      await db.dropDatabase();
      await client.close();
    }
  });

  /** A scratch database on the stack's store, dropped afterwards. */
  async function withScratchDb(fn: (db: import('mongodb').Db) => Promise<void>): Promise<void> {
    const client = await new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 5000, maxPoolSize: 200 }).connect();
    const db = client.db(`stack_test_${randomUUID().slice(0, 8)}`);
    try {
      await fn(db);
    } finally {
      await db.dropDatabase();
      await client.close();
    }
  }

  it('the store keeps single-document atomicity: 600 concurrent guarded decrements of a lot of 500 apply exactly 500 (FerretDB patch atomic-updates)', async () => {
    await withScratchDb(async (db) => {
      const lots = db.collection<{ _id: string; available: number; takers: number }>('lots');
      await lots.insertOne({ _id: 'lot-1', available: 500, takers: 0 });
      const results = await Promise.all(
        Array.from({ length: 600 }, () => lots.updateOne({ _id: 'lot-1', available: { $gte: 1 } }, { $inc: { available: -1, takers: 1 } })),
      );
      const applied = results.filter((r) => r.modifiedCount === 1).length;
      expect(applied).toBe(500);
      await expect(lots.findOne({ _id: 'lot-1' })).resolves.toEqual({ _id: 'lot-1', available: 0, takers: 500 });
    });
  });

  it('findOneAndUpdate with a guard has exactly one winner per state, and unguarded $inc loses nothing', async () => {
    await withScratchDb(async (db) => {
      const docs = db.collection<{ _id: string; state: string; n: number }>('docs');
      await docs.insertOne({ _id: 'd', state: 'open', n: 0 });
      const racers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => docs.findOneAndUpdate({ _id: 'd', state: 'open' }, { $set: { state: `taken-${i}` } }, { returnDocument: 'after' })),
      );
      expect(racers.filter((r) => r !== null)).toHaveLength(1);
      await Promise.all(Array.from({ length: 200 }, () => docs.updateOne({ _id: 'd' }, { $inc: { n: 1 } })));
      await expect(docs.findOne({ _id: 'd' })).resolves.toMatchObject({ n: 200 });
    });
  });

  it('a bulkWrite of 300 updates of existing documents completes (FerretDB patch one-transaction-per-command closes each statement\'s query)', async () => {
    await withScratchDb(async (db) => {
      const docs = db.collection<{ _id: string; n: number }>('bulk');
      await docs.insertMany(Array.from({ length: 300 }, (_, n) => ({ _id: `b-${n}`, n })));
      const res = await docs.bulkWrite(Array.from({ length: 300 }, (_, n) => ({ replaceOne: { filter: { _id: `b-${n}` }, replacement: { n: n + 1000 } } })));
      expect(res.modifiedCount).toBe(300);
      await expect(docs.findOne({ _id: 'b-299' })).resolves.toEqual({ _id: 'b-299', n: 1299 });
    });
  });

  /** The driver's error of a bulk that had write errors: its per-statement errors and the counts of what was applied. */
  async function bulkFailure(bulk: Promise<unknown>): Promise<{ errors: { index: number; code: number }[]; matched: number; modified: number; deleted: number }> {
    const err = (await bulk.then(() => undefined, (e: unknown) => e)) as MongoBulkWriteError | undefined;
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    const errors = ([] as { index: number; code: number }[]).concat(err!.writeErrors as never).map(({ index, code }) => ({ index, code }));
    return { errors, matched: err!.result.matchedCount, modified: err!.result.modifiedCount, deleted: err!.result.deletedCount };
  }

  it('one update command of many statements is applied as MongoDB applies it: each guard sees the statements before it, a failing statement is reported at its index, ordered stops there keeping what ran, unordered goes on, upserts carry their index (FerretDB patch one-transaction-per-command)', async () => {
    await withScratchDb(async (db) => {
      const lots = db.collection<{ _id: string; v?: number; n?: number; s?: string; x?: number }>('lots');
      await lots.insertMany([{ _id: 'a', v: 0, n: 10 }, { _id: 'b', s: 'not a number' }]);
      const chained = await lots.bulkWrite([
        { updateOne: { filter: { _id: 'a', v: 0 }, update: { $set: { v: 1 }, $inc: { n: -1 } } } },
        { updateOne: { filter: { _id: 'a', v: 0 }, update: { $set: { v: 9 }, $inc: { n: -100 } } } },
        { updateOne: { filter: { _id: 'a', v: 1 }, update: { $set: { v: 2 }, $inc: { n: -1 } } } },
      ]);
      expect({ matched: chained.matchedCount, modified: chained.modifiedCount }).toEqual({ matched: 2, modified: 2 });
      await expect(lots.findOne({ _id: 'a' })).resolves.toEqual({ _id: 'a', v: 2, n: 8 });

      // Statement 1 fails ($inc of a string: code 14). Ordered: statement 0 stays applied, 2 never runs. Unordered: 2 runs.
      const withFailure = () => [
        { updateOne: { filter: { _id: 'a' }, update: { $inc: { n: 1 } } } },
        { updateOne: { filter: { _id: 'b' }, update: { $inc: { s: 1 } } } },
        { updateOne: { filter: { _id: 'a' }, update: { $inc: { n: 1 } } } },
      ] as never;
      await expect(bulkFailure(lots.bulkWrite(withFailure(), { ordered: true }))).resolves.toMatchObject({ errors: [{ index: 1, code: 14 }], matched: 1, modified: 1 });
      await expect(lots.findOne({ _id: 'a' })).resolves.toMatchObject({ n: 9 });
      await expect(bulkFailure(lots.bulkWrite(withFailure(), { ordered: false }))).resolves.toMatchObject({ errors: [{ index: 1, code: 14 }], matched: 2, modified: 2 });
      await expect(lots.findOne({ _id: 'a' })).resolves.toMatchObject({ n: 11 });
      await expect(lots.findOne({ _id: 'b' })).resolves.toEqual({ _id: 'b', s: 'not a number' });

      const upserts = await lots.bulkWrite([
        { updateOne: { filter: { _id: 'a' }, update: { $inc: { n: 1 } } } },
        { updateOne: { filter: { _id: 'new-1' }, update: { $set: { x: 1 } }, upsert: true } },
        { updateOne: { filter: { _id: 'new-1' }, update: { $inc: { x: 1 } }, upsert: true } },
        { replaceOne: { filter: { _id: 'new-2' }, replacement: { x: 2 }, upsert: true } },
      ]);
      expect({ ids: upserts.upsertedIds, upserted: upserts.upsertedCount, matched: upserts.matchedCount }).toEqual({ ids: { 1: 'new-1', 3: 'new-2' }, upserted: 2, matched: 2 });
      await expect(lots.find({ _id: { $in: ['new-1', 'new-2'] } }).toArray()).resolves.toEqual([{ _id: 'new-1', x: 2 }, { _id: 'new-2', x: 2 }]);

      // An upsert that breaks a unique index is that statement's E11000; the ones around it apply.
      const keyed = db.collection<{ _id: string; k: number; n?: number }>('keyed');
      await keyed.createIndex({ k: 1 }, { unique: true });
      await keyed.insertOne({ _id: 'k1', k: 1, n: 0 });
      const duplicate = keyed.bulkWrite([
        { updateOne: { filter: { _id: 'k1' }, update: { $inc: { n: 1 } } } },
        { updateOne: { filter: { _id: 'k2' }, update: { $set: { k: 1 } }, upsert: true } },
        { updateOne: { filter: { _id: 'k1' }, update: { $inc: { n: 1 } } } },
      ], { ordered: false });
      await expect(bulkFailure(duplicate)).resolves.toMatchObject({ errors: [{ index: 1, code: 11000 }], matched: 2 });
      await expect(keyed.find().toArray()).resolves.toEqual([{ _id: 'k1', k: 1, n: 2 }]);
    });
  });

  it('a delete command of deleteOne statements stops at a failing one when ordered and goes on when not, keeping what ran (FerretDB patch one-transaction-per-command)', async () => {
    await withScratchDb(async (db) => {
      const docs = db.collection<{ _id: string }>('docs');
      await docs.insertMany(['d1', 'd2', 'd3', 'd4'].map((_id) => ({ _id })));
      const withFailure = (first: string, last: string) => [{ deleteOne: { filter: { _id: first } } }, { deleteOne: { filter: { $bad: 1 } } }, { deleteOne: { filter: { _id: last } } }] as never;
      await expect(bulkFailure(docs.bulkWrite(withFailure('d1', 'd2'), { ordered: true }))).resolves.toMatchObject({ errors: [{ index: 1 }], deleted: 1 });
      await expect(bulkFailure(docs.bulkWrite(withFailure('d3', 'd4'), { ordered: false }))).resolves.toMatchObject({ errors: [{ index: 1 }], deleted: 2 });
      await expect(docs.find().toArray()).resolves.toEqual([{ _id: 'd2' }]);
    });
  });

  it('concurrent bulk commands of guarded decrements on the same lots never oversell, with index builds and new collections beside them (FerretDB patch one-transaction-per-command)', async () => {
    await withScratchDb(async (db) => {
      const lots = db.collection<{ _id: string; available: number; taken: number }>('lots');
      const stock = 300;
      const ids = ['lot-0', 'lot-1', 'lot-2', 'lot-3', 'lot-4'];
      await lots.insertMany(ids.map((_id) => ({ _id, available: stock, taken: 0 })));
      // 60 commands of 40 statements, half of them ordered: 2,400 decrements of 1,500 units, interleaved across the lots.
      const bulks = Array.from({ length: 60 }, (_, k) =>
        lots.bulkWrite(
          Array.from({ length: 40 }, (_, j) => ({ updateOne: { filter: { _id: ids[(k + j) % ids.length]!, available: { $gte: 1 } }, update: { $inc: { available: -1, taken: 1 } } } })),
          { ordered: k % 2 === 0 },
        ),
      );
      // Index builds take the registry's write lock and SQLite's: beside a batch holding SQLite's, they must not deadlock.
      const beside = [...[0, 1, 2].map((k) => db.collection('other').createIndex({ [`f${k}`]: 1 })), ...[0, 1, 2].map((k) => db.collection(`fresh_${k}`).insertOne({ k }))];
      const results = await Promise.all(bulks);
      await Promise.all(beside);
      expect(results.reduce((sum, r) => sum + r.modifiedCount, 0)).toBe(ids.length * stock);
      await expect(lots.find().toArray()).resolves.toEqual(ids.map((_id) => ({ _id, available: 0, taken: stock })));
      await expect(db.collection('other').indexes()).resolves.toHaveLength(4);
    });
  });

  it('a filter of _id and a guard reads by the _id index and still applies the guard (FerretDB patch sqlite-id-with-guard)', async () => {
    await withScratchDb(async (db) => {
      const col = db.collection<{ _id: string; v: number; status: string }>('guarded');
      await col.insertMany(Array.from({ length: 100 }, (_, n) => ({ _id: `lot-${n}`, v: n, status: n % 2 ? 'reserved' : 'issued' })));
      for (const filter of [{ _id: 'lot-7', v: 7 }, { _id: { $in: ['lot-7', 'lot-8'] }, status: 'reserved' }]) {
        const explained = await db.command({ explain: { find: 'guarded', filter } });
        expect(JSON.stringify(explained.queryPlanner)).toMatch(/USING INDEX \S+__id_/);
      }
      // The guard still decides: a stale version or another status matches nothing and changes nothing.
      await expect(col.findOne({ _id: 'lot-7', v: 6 })).resolves.toBeNull();
      await expect(col.updateOne({ _id: 'lot-7', v: 6 }, { $set: { v: 100 } })).resolves.toMatchObject({ matchedCount: 0, modifiedCount: 0 });
      await expect(col.updateOne({ _id: 'lot-7', v: 7 }, { $inc: { v: 1 } })).resolves.toMatchObject({ modifiedCount: 1 });
      await expect(col.findOneAndUpdate({ _id: 'lot-8', status: 'reserved' }, { $set: { status: 'x' } })).resolves.toBeNull();
      await expect(col.deleteOne({ _id: 'lot-9', status: 'issued' })).resolves.toMatchObject({ deletedCount: 0 });
      await expect(col.find({ _id: { $in: ['lot-7', 'lot-8', 'lot-9'] }, status: 'reserved' }).sort({ _id: 1 }).toArray()).resolves.toEqual([{ _id: 'lot-7', v: 8, status: 'reserved' }, { _id: 'lot-9', v: 9, status: 'reserved' }]);
    });
  });

  it('a find by a list of _ids uses the _id index and returns exactly those documents (FerretDB patch sqlite-id-in)', async () => {
    await withScratchDb(async (db) => {
      const col = db.collection<{ _id: string; n: number }>('by_ids');
      await col.insertMany(Array.from({ length: 100 }, (_, n) => ({ _id: `doc-${n}`, n })));
      const filter = { _id: { $in: ['doc-3', 'doc-42', 'doc-none'] } };
      const explained = await db.command({ explain: { find: 'by_ids', filter } });
      expect(JSON.stringify(explained.queryPlanner)).toMatch(/USING INDEX \S+__id_/);
      const found = await col.find(filter).toArray();
      expect(found.map((d) => d._id).sort()).toEqual(['doc-3', 'doc-42']);
      // a mixed filter is still answered correctly (by a scan)
      await expect(col.countDocuments({ _id: { $in: ['doc-3', 'doc-42'] }, n: 42 })).resolves.toBe(1);
    });
  });
  it('a filter on the first field of a declared index reads through that index and answers as a scan would, arrays included (FerretDB patch sqlite-index-eq)', async () => {
    await withScratchDb(async (db) => {
      type Person = { _id: string; communityId: unknown; type: string; n: number };
      const people = db.collection<Person>('people');
      await people.createIndex({ communityId: 1, type: 1 });
      const docs: Person[] = Array.from({ length: 300 }, (_, n) => ({ _id: `p-${String(299 - n).padStart(3, '0')}`, communityId: `c${n % 30}`, type: n % 2 ? 'volunteer' : 'grid-worker', n }));
      // What MongoDB's equality also matches or must not: an array holding the value, a number, a nested value.
      docs.push({ _id: 'p-array', communityId: ['c7', 'c8'], type: 'volunteer', n: 1000 }, { _id: 'p-number', communityId: 7, type: 'volunteer', n: 1001 }, { _id: 'p-object', communityId: { id: 'c7' }, type: 'volunteer', n: 1002 });
      docs.push({ _id: 'p-odd', communityId: 'c<7> & "zh" 社区', type: 'volunteer', n: 1003 });
      await people.insertMany(docs);
      const expected = (community: string, type?: string) => docs.filter((d) => (d.communityId === community || (Array.isArray(d.communityId) && d.communityId.includes(community))) && (type === undefined || d.type === type));

      const explained = await db.command({ explain: { find: 'people', filter: { communityId: 'c7', type: 'volunteer' } } });
      expect(JSON.stringify(explained.queryPlanner)).toMatch(/USING INDEX \S+communityId/);
      // In natural (insertion) order, like a scan, and exactly MongoDB's matches.
      await expect(people.find({ communityId: 'c7', type: 'volunteer' }).toArray()).resolves.toEqual(expected('c7', 'volunteer'));
      await expect(people.find({ communityId: 'c8' }).toArray()).resolves.toEqual(expected('c8'));
      await expect(people.countDocuments({ communityId: 'c7' })).resolves.toBe(expected('c7').length);
      await expect(people.find({ communityId: 'c<7> & "zh" 社区' }).toArray()).resolves.toEqual([docs.at(-1)]);
      await expect(people.find({ communityId: 'nowhere' }).toArray()).resolves.toEqual([]);
      // Writes by the same filters change exactly those documents.
      await expect(people.updateMany({ communityId: 'c8', type: 'volunteer' }, { $inc: { n: 10_000 } })).resolves.toMatchObject({ modifiedCount: expected('c8', 'volunteer').length });
      await expect(people.findOneAndUpdate({ communityId: 'c9', n: 9 }, { $set: { type: 'moved' } })).resolves.toMatchObject({ _id: 'p-290' });
      await expect(people.deleteMany({ communityId: 'c7' })).resolves.toMatchObject({ deletedCount: expected('c7').length });
      await expect(people.countDocuments({})).resolves.toBe(docs.length - expected('c7').length);
      // A field without a declared index is still answered by a scan.
      await expect(people.countDocuments({ type: 'grid-worker' })).resolves.toBe(docs.filter((d) => d.type === 'grid-worker' && d.communityId !== 'c7').length);
      // Booleans too (an unsettled flag), with the same array rule.
      const flags = db.collection<{ _id: string; settled?: unknown }>('flags');
      await flags.createIndex({ settled: 1 });
      await flags.insertMany([{ _id: 'a', settled: false }, { _id: 'b', settled: true }, { _id: 'c', settled: [true, false] }, { _id: 'd' }, { _id: 'e', settled: 0 }]);
      const flagPlan = await db.command({ explain: { find: 'flags', filter: { settled: false } } });
      expect(JSON.stringify(flagPlan.queryPlanner)).toMatch(/USING INDEX \S+settled/);
      await expect(flags.find({ settled: false }).toArray()).resolves.toEqual([{ _id: 'a', settled: false }, { _id: 'c', settled: [true, false] }]);
    });
  });
});
