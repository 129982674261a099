import { Outbox, type MarkDoc } from '../src/model/outbox';
import { FakeCollection, fakeModel } from './fakeStore';

/**
 * The outbox against an in-memory store and an in-memory stream that drops a repeated message id (what JetStream's
 * duplicate window does): events leave after the answer, a crash at any point publishes them once after the restart.
 */
interface Doc {
  _id: string;
  [k: string]: unknown;
}

function world() {
  const marks = new FakeCollection();
  const docs = new FakeCollection();
  /** The stream: message id → how many publishes carried it. */
  const stream = new Map<string, number>();
  let gate: Promise<void> | undefined;
  let failing = 0;
  const publishes: string[] = [];
  const outbox = (clearAfterMs = 5) =>
    new Outbox<Doc>(
      fakeModel<MarkDoc>(marks),
      {
        publish: async (doc) => {
          publishes.push(doc._id);
          await gate;
          if (failing > 0) {
            failing--;
            throw new Error('no responders');
          }
          stream.set(`${doc._id}:reserved`, (stream.get(`${doc._id}:reserved`) ?? 0) + 1);
        },
        load: async (ids) => ids.flatMap((id) => (docs.docs.has(id) ? [docs.docs.get(id) as Doc] : [])),
      },
      { write: (op) => op(), onError: () => {}, clearAfterMs, sweepEveryMs: 60_000 },
    );
  /** What the reserve path does: the document and its mark are durable before the answer, then its events are queued. */
  const write = async (box: Outbox<Doc>, id: string) => {
    const doc = { _id: id, createdAt: new Date() };
    docs.docs.set(id, doc);
    const mark = await box.mark(id);
    return { doc, mark };
  };
  return {
    marks,
    docs,
    stream,
    publishes,
    outbox,
    write,
    hold: () => {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = undefined;
        open();
      };
    },
    failNext: (n: number) => (failing = n),
  };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
};

it('documents written together share one mark; their events go out after the answer and the mark is then deleted', async () => {
  const w = world();
  const box = w.outbox();
  const written = await Promise.all(['res-1', 'res-2', 'res-3'].map((id) => w.write(box, id)));
  expect(new Set(written.map((x) => x.mark)).size).toBe(1);
  expect(w.marks.docs.size).toBe(1);
  for (const { doc, mark } of written) box.add(doc, mark);
  await until(() => w.stream.size === 3 && w.marks.docs.size === 0);
  expect([...w.stream.values()]).toEqual([1, 1, 1]);
  await box.stop();
});

it('a crash between the commit and the publish: the restarted outbox publishes the event once and deletes the mark', async () => {
  const w = world();
  const crashed = w.outbox();
  w.hold();
  const { doc, mark } = await w.write(crashed, 'res-1');
  crashed.add(doc, mark);
  await until(() => w.publishes.length === 1);
  // The process dies here: the publish never reached the stream, the mark is still in the store.
  expect({ stream: w.stream.size, marks: w.marks.docs.size }).toEqual({ stream: 0, marks: 1 });

  w.hold()();
  const restarted = w.outbox();
  const stop = await restarted.start();
  await until(() => w.marks.docs.size === 0);
  expect([...w.stream]).toEqual([['res-1:reserved', 1]]);
  await stop();
});

it('a crash after the publish but before the mark was deleted publishes again under the same id, which the stream drops', async () => {
  const w = world();
  const first = w.outbox(60_000);
  const { doc, mark } = await w.write(first, 'res-1');
  first.add(doc, mark);
  await until(() => w.stream.size === 1);
  // Dies before its marks are deleted (they gather for clearAfterMs): the mark is still there.
  expect(w.marks.docs.size).toBe(1);

  const restarted = w.outbox();
  const stop = await restarted.start();
  await until(() => w.marks.docs.size === 0);
  expect(w.publishes).toEqual(['res-1', 'res-1']);
  expect(w.stream.size).toBe(1);
  await stop();
});

it('a publish that fails is tried again, and the mark stays until it went out', async () => {
  const w = world();
  const box = w.outbox();
  w.failNext(1);
  const { doc, mark } = await w.write(box, 'res-1');
  box.add(doc, mark);
  await until(() => w.publishes.length === 1);
  expect(w.marks.docs.size).toBe(1);
  await until(() => w.stream.size === 1 && w.marks.docs.size === 0);
  expect(w.publishes).toEqual(['res-1', 'res-1']);
  await box.stop();
});

it('a mark naming a document whose insert failed publishes only what exists, then goes', async () => {
  const w = world();
  const box = w.outbox();
  const written = await Promise.all(['res-1', 'res-2'].map((id) => w.write(box, id)));
  w.docs.docs.delete('res-2');
  box.add(written[0]!.doc, written[0]!.mark);
  await until(() => w.stream.size === 1);
  // res-2 never comes: the mark waits for the sweep (here: the next start), which finds only res-1.
  expect(w.marks.docs.size).toBe(1);
  const stop = await w.outbox().start();
  await until(() => w.marks.docs.size === 0);
  expect([...w.stream.keys()]).toEqual(['res-1:reserved']);
  await stop();
  await box.stop();
});

it('settle waits for a queued document’s events, so a later event of it never overtakes them', async () => {
  const w = world();
  const box = w.outbox();
  const release = w.hold();
  const { doc, mark } = await w.write(box, 'res-1');
  box.add(doc, mark);
  let settled = false;
  const waiting = box.settle('res-1').then(() => (settled = true));
  await until(() => w.publishes.length === 1);
  expect(settled).toBe(false);
  release();
  await waiting;
  expect(w.stream.get('res-1:reserved')).toBe(1);
  expect(await box.settle('res-unknown').then(() => 'at once')).toBe('at once');
  await box.stop();
});

it('an attempt that will not add its document (it failed, or another attempt wrote it) lets the mark go at once', async () => {
  const w = world();
  const box = w.outbox();
  // A failed attempt whose insert never landed: nothing to publish, the mark is deleted without waiting for a sweep.
  const lost = await w.write(box, 'res-1');
  w.docs.docs.delete('res-1');
  box.recheck(lost.mark, 'res-1');
  await until(() => w.marks.docs.size === 0);
  expect(w.stream.size).toBe(0);
  // A failed attempt whose insert landed (or a duplicate answered from the stored document): its events go out once.
  const landed = await w.write(box, 'res-2');
  box.recheck(landed.mark, 'res-2');
  box.recheck(landed.mark, 'res-2');
  await until(() => w.marks.docs.size === 0);
  expect([...w.stream]).toEqual([['res-2:reserved', 1]]);
  await box.stop();
});

it('a recheck leaves the other documents of a shared mark to their own attempts', async () => {
  const w = world();
  const box = w.outbox();
  const [a, b] = await Promise.all(['res-1', 'res-2'].map((id) => w.write(box, id)));
  expect(a!.mark).toBe(b!.mark);
  w.docs.docs.delete('res-1');
  box.recheck(a!.mark, 'res-1');
  await new Promise((r) => setTimeout(r, 20));
  // res-2 is still owed: the mark stays until its attempt adds it.
  expect(w.marks.docs.size).toBe(1);
  box.add(b!.doc, b!.mark);
  await until(() => w.stream.size === 1 && w.marks.docs.size === 0);
  await box.stop();
});
