import { LotWriter } from '../src/model/lotWriter';
import { WriteLane } from '../src/model/writeLane';
import { freshStock, holdId, type HoldDoc, type LotDoc } from '../src/model/lots';
import { FakeCollection, fakeModel } from './fakeStore';

/** The lot writer against an in-memory store: group commit, two processes racing, and the journal after a crash. */
function store(lots: Record<string, number>) {
  const lotCol = new FakeCollection();
  const holdCol = new FakeCollection();
  for (const [id, quantity] of Object.entries(lots)) lotCol.docs.set(id, { _id: id, itemCode: 'tents', depotId: 'd', source: 'government', condition: 'good', ...freshStock(quantity) });
  const writer = () => new LotWriter(fakeModel<LotDoc>(lotCol), fakeModel<HoldDoc>(holdCol), { attempts: 200, lane: new WriteLane(2) });
  const lot = (id: string) => lotCol.docs.get(id) as unknown as LotDoc;
  const holdsOf = (lotId: string) => [...holdCol.docs.values()].filter((h) => h.lotId === lotId) as unknown as HoldDoc[];
  return { lotCol, holdCol, writer, lot, holdsOf };
}

/** The audit of the issue: the holds documents and the lot's counters tell the same story. */
function balanced(s: ReturnType<typeof store>, lotId: string) {
  const lot = s.lot(lotId);
  const sum = (state: string) => s.holdsOf(lotId).filter((h) => h.state === state).reduce((n, h) => n + h.quantity, 0);
  expect(lot.available).toBeGreaterThanOrEqual(0);
  expect(lot.held).toBe(sum('held'));
  expect(lot.issued).toBe(sum('issued'));
  expect(lot.available + lot.held).toBe(lot.quantity);
}

it('requests for one lot arriving together share one commit, and never take more than the lot has', async () => {
  const s = store({ lot1: 100 });
  const w = s.writer();
  const got = await Promise.all(Array.from({ length: 300 }, (_, i) => w.take('lot1', `res-${i}`, 1 + (i % 3))));
  expect(got.reduce((a, b) => a + b, 0)).toBe(100);
  expect(s.lot('lot1')).toMatchObject({ available: 0, held: 100 });
  balanced(s, 'lot1');
  expect(s.holdsOf('lot1')).toHaveLength(got.filter((n) => n > 0).length);
  expect(w.stats.commits).toBeLessThanOrEqual(3);
  expect(s.lot('lot1').v).toBe(w.stats.commits);
});

it('two processes writing one lot never oversell: a missed version reloads, flushes and decides again', async () => {
  const s = store({ lot1: 50 });
  const [a, b] = [s.writer(), s.writer()];
  const got = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).take('lot1', `res-${i}`, 1)));
  expect(got.reduce((x, y) => x + y, 0)).toBe(50);
  balanced(s, 'lot1');
  expect(a.stats.misses + b.stats.misses).toBeGreaterThan(0);
});

it('a repeat of a take, in this process or another, finds the first hold and takes nothing more', async () => {
  const s = store({ lot1: 10 });
  const [a, b] = [s.writer(), s.writer()];
  expect(await Promise.all([a.take('lot1', 'res-1', 4), a.take('lot1', 'res-1', 4)])).toEqual([4, 4]);
  expect(await b.take('lot1', 'res-1', 4)).toBe(4);
  expect(await a.take('lot1', 'res-1', 4)).toBe(4);
  expect(s.lot('lot1')).toMatchObject({ available: 6, held: 4 });
  balanced(s, 'lot1');
});

it('a commit whose hold insert never happened (a crash) is completed by the next load, and a retry counts it once', async () => {
  const s = store({ lot1: 10 });
  s.lotCol.docs.set('lot1', { ...s.lotCol.docs.get('lot1')!, available: 7, held: 3, v: 1, pending: 'res-1:held:3' });
  const w = s.writer();
  expect(await w.heldBy('lot1', 'res-1', { epoch: w.epoch(), hold: null })).toBe(3);
  expect(s.holdCol.docs.get(holdId('res-1', 'lot1'))).toMatchObject({ quantity: 3, state: 'held' });
  expect(await w.take('lot1', 'res-1', 3, { epoch: 0, hold: null })).toBe(3);
  expect(s.lot('lot1')).toMatchObject({ available: 7, held: 3, v: 1 });
  balanced(s, 'lot1');
});

it('a hold write that fails after the commit fails the batch; the retry flushes the journal and counts nothing twice', async () => {
  const s = store({ lot1: 10 });
  const w = s.writer();
  s.holdCol.failNext = 1;
  await expect(w.take('lot1', 'res-1', 3)).rejects.toThrow('store unavailable');
  expect(s.holdCol.docs.size).toBe(0);
  expect(await w.take('lot1', 'res-1', 3)).toBe(3);
  expect(s.lot('lot1')).toMatchObject({ available: 7, held: 3 });
  balanced(s, 'lot1');
});

it('moves apply once per hold: issue, a repeated issue, return; release of an issued hold does nothing', async () => {
  const s = store({ lot1: 10 });
  const [a, b] = [s.writer(), s.writer()];
  await a.take('lot1', 'res-1', 4);
  expect(await Promise.all([a.move('lot1', 'res-1', 'issue'), b.move('lot1', 'res-1', 'issue')])).toEqual(expect.arrayContaining([true, false]));
  expect(s.lot('lot1')).toMatchObject({ quantity: 6, available: 6, held: 0, issued: 4 });
  expect(await a.move('lot1', 'res-1', 'release')).toBe(false);
  balanced(s, 'lot1');
  expect(await b.move('lot1', 'res-1', 'return')).toBe(true);
  expect(s.lot('lot1')).toMatchObject({ quantity: 10, available: 10, held: 0, issued: 0 });
  expect(s.holdCol.docs.get(holdId('res-1', 'lot1'))).toMatchObject({ state: 'returned' });
  balanced(s, 'lot1');
});

it('a lot written before holds were documents is adopted once: its holds become documents, its counters follow', async () => {
  const s = store({});
  s.lotCol.docs.set('old', { _id: 'old', itemCode: 'tents', quantity: 8, available: 3, revision: 7, holds: [{ reservationId: 'res-a', quantity: 2, state: 'issued' }, { reservationId: 'res-b', quantity: 5, state: 'held' }] });
  const w = s.writer();
  expect(await w.take('old', 'res-c', 5)).toBe(3);
  expect(s.lot('old')).toMatchObject({ quantity: 8, available: 0, held: 8, issued: 2, v: 1 });
  expect(s.lot('old')).not.toHaveProperty('holds');
  balanced(s, 'old');
});

it('a late flush of an older journal never moves a hold back', async () => {
  const s = store({});
  // The lot's last journal says res-1 was issued, but the hold has since been returned (a slow flusher elsewhere).
  s.lotCol.docs.set('lot1', { _id: 'lot1', itemCode: 'tents', ...freshStock(10), v: 3, pending: 'res-1:issued:4' });
  s.holdCol.docs.set(holdId('res-1', 'lot1'), { _id: holdId('res-1', 'lot1'), lotId: 'lot1', reservationId: 'res-1', quantity: 4, state: 'returned' });
  const w = s.writer();
  expect(await w.move('lot1', 'res-1', 'return')).toBe(false);
  expect(s.holdCol.docs.get(holdId('res-1', 'lot1'))).toMatchObject({ state: 'returned' });
  expect(s.lot('lot1')).toMatchObject({ quantity: 10, available: 10, v: 3 });
});

it('a hold taken and moved in one batch is written in its final state', async () => {
  const s = store({ lot1: 10 });
  const w = s.writer();
  expect(await Promise.all([w.take('lot1', 'tr-1', 4), w.move('lot1', 'tr-1', 'issue')])).toEqual([4, true]);
  expect(s.holdCol.docs.get(holdId('tr-1', 'lot1'))).toMatchObject({ quantity: 4, state: 'issued' });
  expect(s.lot('lot1')).toMatchObject({ quantity: 6, available: 6, held: 0, issued: 4, v: 1 });
  balanced(s, 'lot1');
});

it('the next commit does not wait for the last flush, and journals the unflushed holds again', async () => {
  const s = store({ lot1: 10 });
  const w = s.writer();
  let open!: () => void;
  s.holdCol.gate = new Promise((r) => (open = r));
  const until = async (v: number) => {
    while (s.lot('lot1').v < v) await new Promise((r) => setImmediate(r));
  };
  const first = w.take('lot1', 'res-1', 3);
  await until(1);
  const second = w.take('lot1', 'res-2', 2);
  await until(2);
  expect(s.lot('lot1').pending).toBe('res-1:held:3;res-2:held:2');
  expect(s.holdCol.docs.size).toBe(0);
  open();
  expect(await Promise.all([first, second])).toEqual([3, 2]);
  balanced(s, 'lot1');
});

it('commits of different lots that are ready together go out as one write, and no lot gives more than it has', async () => {
  const s = store({ lot1: 10, lot2: 10, lot3: 10 });
  const w = s.writer();
  const got = await Promise.all(['lot1', 'lot2', 'lot3'].flatMap((lot) => Array.from({ length: 8 }, (_, i) => w.take(lot, `res-${lot}-${i}`, 2))));
  expect(got.reduce((a, b) => a + b, 0)).toBe(30);
  expect(s.lotCol.bulks).toBeGreaterThan(0);
  expect(s.lotCol.bulks + s.lotCol.updates).toBeLessThan(w.stats.commits);
  for (const lot of ['lot1', 'lot2', 'lot3']) {
    expect(s.lot(lot)).toMatchObject({ available: 0, held: 10 });
    balanced(s, lot);
  }
});

it('when another process committed one lot of a shared write first, only that lot is decided again', async () => {
  const s = store({ lot1: 10, lot2: 10 });
  const [a, b] = [s.writer(), s.writer()];
  await Promise.all([a.take('lot1', 'res-a0', 1), a.take('lot2', 'res-a1', 1)]);
  await b.take('lot1', 'res-b', 2);
  expect(await Promise.all([a.take('lot1', 'res-a2', 1), a.take('lot2', 'res-a3', 1)])).toEqual([1, 1]);
  expect(s.lotCol.bulks).toBe(2);
  expect(a.stats.misses).toBe(1);
  expect(s.lot('lot1')).toMatchObject({ available: 6, held: 4, v: 3 });
  expect(s.lot('lot2')).toMatchObject({ available: 8, held: 2, v: 2 });
  balanced(s, 'lot1');
  balanced(s, 'lot2');
});

it('a committed take is settled before its hold insert lands; the insert is handed over to wait for', async () => {
  const s = store({ lot1: 10 });
  const w = s.writer();
  let open!: () => void;
  s.holdCol.gate = new Promise((r) => (open = r));
  const take = await w.takeCommitted('lot1', 'res-1', 3);
  expect(take.units).toBe(3);
  expect(s.lot('lot1')).toMatchObject({ available: 7, held: 3, v: 1, pending: 'res-1:held:3' });
  let landed = false;
  void take.written.then(() => (landed = true));
  await new Promise((r) => setImmediate(r));
  expect({ landed, holds: s.holdCol.docs.size }).toEqual({ landed: false, holds: 0 });
  open();
  await take.written;
  expect(s.holdCol.docs.get(holdId('res-1', 'lot1'))).toMatchObject({ quantity: 3, state: 'held' });
  balanced(s, 'lot1');
});

it('a committed take whose hold insert failed is confirmed by a reload: the hold is written, nothing counted twice', async () => {
  const s = store({ lot1: 10 });
  const w = s.writer();
  s.holdCol.failNext = 1;
  const take = await w.takeCommitted('lot1', 'res-1', 3);
  await expect(take.written).rejects.toThrow('store unavailable');
  expect(s.holdCol.docs.size).toBe(0);
  await w.confirm('lot1', 'res-1');
  expect(s.holdCol.docs.get(holdId('res-1', 'lot1'))).toMatchObject({ quantity: 3, state: 'held' });
  expect(await w.take('lot1', 'res-1', 3)).toBe(3);
  expect(s.lot('lot1')).toMatchObject({ available: 7, held: 3, v: 1 });
  balanced(s, 'lot1');
});

it('a lot whose holds were all read when it was loaded answers who holds what without another read', async () => {
  const s = store({});
  s.lotCol.docs.set('lot1', { _id: 'lot1', itemCode: 'tents', quantity: 10, available: 5, held: 5, issued: 0, v: 2 });
  for (const [holder, quantity] of [['res-a', 3], ['res-b', 2]] as const) s.holdCol.docs.set(holdId(holder, 'lot1'), { _id: holdId(holder, 'lot1'), lotId: 'lot1', reservationId: holder, quantity, state: 'held' });
  const w = s.writer();
  expect(await w.heldBy('lot1', 'res-a', { epoch: w.epoch(), hold: null })).toBe(3);
  expect(w.knowsEveryHold('lot1')).toBe(true);
  const reads = s.holdCol.reads;
  expect(await Promise.all([w.take('lot1', 'res-b', 4), w.take('lot1', 'res-c', 4), w.heldBy('lot1', 'res-d', { epoch: 0, hold: null })])).toEqual([2, 4, 0]);
  expect(s.holdCol.reads).toBe(reads);
  expect(s.lot('lot1')).toMatchObject({ available: 1, held: 9, v: 3 });
  balanced(s, 'lot1');
});

it('a lot with more holds than are read at a load looks its holders up instead', async () => {
  const s = store({});
  s.lotCol.docs.set('lot1', { _id: 'lot1', itemCode: 'tents', quantity: 6000, available: 999, held: 5001, issued: 0, v: 1 });
  for (let i = 0; i <= 5000; i++) s.holdCol.docs.set(holdId(`res-${i}`, 'lot1'), { _id: holdId(`res-${i}`, 'lot1'), lotId: 'lot1', reservationId: `res-${i}`, quantity: 1, state: 'held' });
  const w = s.writer();
  expect(await w.take('lot1', 'res-5000', 1)).toBe(1);
  expect(w.knowsEveryHold('lot1')).toBe(false);
  expect(await w.take('lot1', 'res-new', 2)).toBe(2);
  expect(s.lot('lot1')).toMatchObject({ available: 997, held: 5003, v: 2 });
  balanced(s, 'lot1');
});

it('a lot is surely empty only when it has nothing available, every hold is known and nothing is committing on it', async () => {
  const s = store({ lot1: 3 });
  const w = s.writer();
  expect(w.surelyEmpty('lot1')).toBe(false);
  expect(await w.take('lot1', 'res-1', 2)).toBe(2);
  expect(w.surelyEmpty('lot1')).toBe(false);
  const last = w.take('lot1', 'res-2', 5);
  expect(w.surelyEmpty('lot1')).toBe(false);
  expect(await last).toBe(1);
  expect(w.surelyEmpty('lot1')).toBe(true);
  const release = w.move('lot1', 'res-1', 'release');
  expect(w.surelyEmpty('lot1')).toBe(false);
  expect(await release).toBe(true);
  expect(w.surelyEmpty('lot1')).toBe(false);
  expect(s.lot('lot1')).toMatchObject({ available: 2, held: 1 });
  balanced(s, 'lot1');
});
