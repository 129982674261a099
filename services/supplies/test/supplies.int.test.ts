import type { Connection } from 'mongoose';
import { supplies, type LifelineError } from '@lifeline/contracts';
import { call, decodeJson, encodeJson, type NatsConnection } from '@lifeline/platform';
import { reservationIdFor } from '../src/model/reservations';
import { holdsOf, lotRow as lotRowIn, openHarness, world as worldIn, type Harness } from './fixtures';

/** Talks to the running supplies service over NATS and inspects its own database. */
let h: Harness;
let nc: NatsConnection;
let db: Connection;
let run: string;
let incidentId: string;
const lotRow = (id: string) => lotRowIn(db, id);
type Doc = { _id: string } & Record<string, unknown>;
/** A reservation as an attempt (this process's or another's) stores it, written here behind the service's back. */
const storeReservation = (key: string, communityId: string, lines: object[], shortfalls: object[] = []) =>
  db.collection<Doc>('reservations').insertOne({
    _id: reservationIdFor(key), idempotencyKey: key, incidentId, communityId, drill: false, asOf: '2026-12-03', status: 'reserved', lines, shortfalls, unusable: [], commands: [], createdAt: new Date(),
  });

/** A fresh community under a district under a city with one item; `reserve(key, n)` asks for n units of it. */
async function world(name: string) {
  const w = await worldIn(h, name);
  return { ...w, ids: { ...w.ids, item: w.items[0]! }, reserve: (key: string, quantity: number) => w.reserve(key, [{ itemCode: w.items[0]!, quantity }], incidentId) };
}

beforeAll(async () => {
  h = await openHarness('supplies-int-test');
  ({ nc, db, run } = h);
  incidentId = `inc-supplies-${run}`;
});

afterAll(async () => {
  await h?.close();
});

describe('supplies service', () => {
  it('a second reservation with the same key returns the first result', async () => {
    const w = await world('idem');
    const lot = w.lot('tents', 10);
    await w.seedLots([lot]);

    const first = await w.reserve('step-1', 4);
    const again = await w.reserve('step-1', 4);

    expect(first).toMatchObject({ status: 'reserved', lines: [{ requested: 4, reserved: 4, lots: [{ lotId: lot.id, quantity: 4 }] }], shortfalls: [] });
    expect(again).toEqual(first);
    const row = await lotRow(lot.id);
    expect(row).toMatchObject({ available: 6, held: 4 });
    expect(await holdsOf(db, [first.reservationId], [lot.id])).toEqual([expect.objectContaining({ quantity: 4, state: 'held' })]);
    expect(await db.collection('reservations').countDocuments({ idempotencyKey: `${incidentId}:idem-${run}:step-1` })).toBe(1);

    await w.seedLots([lot]);
    expect(await lotRow(lot.id)).toMatchObject({ quantity: 10, available: 6 });
  });

  it('concurrent repeats of one reservation, and a retry after a crash mid-way, take stock once', async () => {
    const w = await world('retry');
    const lot = w.lot('kits', 10);
    await w.seedLots([lot]);

    const repeats = await Promise.all(Array.from({ length: 5 }, () => w.reserve('same-step', 3)));
    expect(new Set(repeats.map((r) => r.reservationId)).size).toBe(1);
    expect(await lotRow(lot.id)).toMatchObject({ available: 7 });

    // Simulate a crash after the stock was held but before the reservation was written.
    const reservationId = repeats[0]!.reservationId;
    await db.collection<{ _id: string }>('reservations').deleteOne({ _id: reservationId });
    const resumed = await w.reserve('same-step', 3);

    expect(resumed).toEqual(repeats[0]);
    expect(await lotRow(lot.id)).toMatchObject({ available: 7, held: 3 });
    expect(await holdsOf(db, [reservationId], [lot.id])).toEqual([{ _id: `${reservationId}@${lot.id}`, lotId: lot.id, reservationId, quantity: 3, state: 'held' }]);
  });

  it('a reservation cut off between its lot commit and its hold insert is finished by the retry, counted once', async () => {
    const w = await world('journal');
    const lot = w.lot('kits', 10);
    await w.seedLots([lot]);
    // What a crash between the two writes leaves: the lot's counters and journal say 3 are held, the hold is missing.
    const key = `${incidentId}:journal-${run}:cut-off`;
    const reservationId = reservationIdFor(key);
    await db.collection<{ _id: string }>('lots').updateOne({ _id: lot.id }, { $inc: { available: -3, held: 3, v: 1 }, $set: { pending: `${reservationId}:held:3` } });

    const retried = await w.reserve('cut-off', 3);

    expect(retried).toMatchObject({ reservationId, status: 'reserved', lines: [{ requested: 3, reserved: 3, lots: [{ lotId: lot.id, quantity: 3 }] }], shortfalls: [] });
    expect(await lotRow(lot.id)).toMatchObject({ quantity: 10, available: 7, held: 3, v: 1 });
    expect(await holdsOf(db, [reservationId], [lot.id])).toEqual([expect.objectContaining({ quantity: 3, state: 'held' })]);
    expect(await w.reserve('another', 7)).toMatchObject({ lines: [{ reserved: 7 }], shortfalls: [] });
    expect(await lotRow(lot.id)).toMatchObject({ quantity: 10, available: 0, held: 10, v: 2 });
  });

  it('a repeat of a reservation that ran short answers the first result after stock came back, and holds none of it', async () => {
    const w = await world('short-again');
    const lot = w.lot('kits', 5);
    await w.seedLots([lot]);
    const cmd = (key: string, reservationId: string) => ({ idempotencyKey: `${incidentId}:short-again-${run}:${key}`, reservationId });
    const drain = await w.reserve('drain', 5);
    const short = await w.reserve('short', 4);
    expect(short).toMatchObject({ lines: [{ requested: 4, reserved: 0, lots: [] }], shortfalls: [{ missing: 4 }] });
    await call(nc, supplies.release, cmd('release-drain', drain.reservationId));
    expect(await lotRow(lot.id)).toMatchObject({ available: 5, held: 0 });

    // The lot's writer knows every hold and sees 5 available: the repeat may take before it learns it is stored.
    expect(await w.reserve('short', 4)).toEqual(short);

    expect(await lotRow(lot.id)).toMatchObject({ quantity: 5, available: 5, held: 0 });
    const holds = await holdsOf(db, [short.reservationId], [lot.id]);
    expect(holds.filter((x) => x.state === 'held')).toEqual([]);
    expect(await w.reserve('after', 5)).toMatchObject({ lines: [{ reserved: 5 }], shortfalls: [] });
  });

  it('a repeat of a reservation that ran short takes nothing from a lot that arrived since', async () => {
    const w = await world('new-lot');
    const first = w.lot('first', 2);
    await w.seedLots([first]);
    const short = await w.reserve('short', 5);
    expect(short).toMatchObject({ lines: [{ reserved: 2, lots: [{ lotId: first.id, quantity: 2 }] }], shortfalls: [{ missing: 3 }] });
    const arrived = w.lot('arrived', 10);
    await w.seedLots([arrived]);

    expect(await w.reserve('short', 5)).toEqual(short);

    expect(await lotRow(first.id)).toMatchObject({ available: 0, held: 2 });
    expect(await lotRow(arrived.id)).toMatchObject({ quantity: 10, available: 10, held: 0 });
    expect((await holdsOf(db, [short.reservationId], [arrived.id])).filter((x) => x.state === 'held')).toEqual([]);
  });

  it('a repeat after a crash between the reservation insert and its hold insert takes stock once', async () => {
    const w = await world('stored-first');
    const lot = w.lot('kits', 10);
    await w.seedLots([lot]);
    // What a crash after the reservation landed, before its hold did, leaves: the hold only in the lot's journal.
    const key = `${incidentId}:stored-first-${run}:cut-off`;
    const reservationId = reservationIdFor(key);
    const lines = [{ itemCode: w.ids.item, requested: 3, reserved: 3, lots: [{ lotId: lot.id, quantity: 3 }] }];
    await db.collection<{ _id: string }>('lots').updateOne({ _id: lot.id }, { $inc: { available: -3, held: 3, v: 1 }, $set: { pending: `${reservationId}:held:3` } });
    await storeReservation(key, w.ids.community, lines);

    const retried = await w.reserve('cut-off', 3);

    expect(retried).toMatchObject({ reservationId, status: 'reserved', lines, shortfalls: [] });
    expect(await lotRow(lot.id)).toMatchObject({ quantity: 10, available: 7, held: 3, v: 1 });
    expect(await holdsOf(db, [reservationId], [lot.id])).toEqual([expect.objectContaining({ quantity: 3, state: 'held' })]);
  });

  it('a repeat of a reservation another process wrote takes nothing here, though this process knew every hold of the lot', async () => {
    const w = await world('elsewhere');
    const lot = w.lot('kits', 10);
    await w.seedLots([lot]);
    expect(await w.reserve('here', 1)).toMatchObject({ lines: [{ reserved: 1 }] });
    // Another instance commits the lot, writes its hold and the reservation; this process's writer has not seen it.
    const key = `${incidentId}:elsewhere-${run}:there`;
    const reservationId = reservationIdFor(key);
    const lines = [{ itemCode: w.ids.item, requested: 4, reserved: 4, lots: [{ lotId: lot.id, quantity: 4 }] }];
    await db.collection<{ _id: string }>('lots').updateOne({ _id: lot.id }, { $inc: { available: -4, held: 4, v: 1 }, $set: { pending: `${reservationId}:held:4` } });
    await db.collection<Doc>('holds').insertOne({ _id: `${reservationId}@${lot.id}`, lotId: lot.id, reservationId, quantity: 4, state: 'held' });
    await storeReservation(key, w.ids.community, lines);

    expect(await w.reserve('there', 4)).toMatchObject({ reservationId, lines });

    expect(await lotRow(lot.id)).toMatchObject({ quantity: 10, available: 5, held: 5 });
    expect(await holdsOf(db, [reservationId], [lot.id])).toEqual([expect.objectContaining({ quantity: 4, state: 'held' })]);
  });

  it('a retry releases a hold its key holds that the stored reservation does not name (an attempt that lost a race and died)', async () => {
    const w = await world('stray');
    const lot = w.lot('kits', 10);
    await w.seedLots([lot]);
    // Another instance stored the reservation short (no lots); this key's losing attempt took 4 here and died.
    const key = `${incidentId}:stray-${run}:lost`;
    const reservationId = reservationIdFor(key);
    const lines = [{ itemCode: w.ids.item, requested: 4, reserved: 0, lots: [] }];
    await storeReservation(key, w.ids.community, lines, [{ itemCode: w.ids.item, missing: 4 }]);
    await db.collection<{ _id: string }>('lots').updateOne({ _id: lot.id }, { $inc: { available: -4, held: 4, v: 1 }, $set: { pending: `${reservationId}:held:4` } });

    expect(await w.reserve('lost', 4)).toMatchObject({ reservationId, lines, shortfalls: [{ missing: 4 }] });

    expect(await lotRow(lot.id)).toMatchObject({ quantity: 10, available: 10, held: 0 });
    expect(await holdsOf(db, [reservationId], [lot.id])).toEqual([expect.objectContaining({ quantity: 4, state: 'released' })]);
  });

  it('first-expiry-first-out picks the earliest-expiring lot and skips expired, damaged and condemned ones', async () => {
    const w = await world('fefo');
    const expired = w.lot('expired', 50, { expiresOn: '2001-01-01' });
    const condemned = w.lot('condemned', 50, { expiresOn: '2080-01-01', condition: 'condemned' });
    const damaged = w.lot('damaged', 50, { condition: 'damaged' });
    const early = w.lot('early', 5, { expiresOn: '2090-01-01' });
    const late = w.lot('late', 5, { expiresOn: '2095-01-01' });
    const noExpiry = w.lot('no-expiry', 3, { depotId: w.ids.districtDepot });
    const elsewhere = w.lot('other-area', 50, { depotId: `dc-idem-${run}` });
    await w.seedLots([expired, condemned, damaged, late, noExpiry, early, elsewhere]);

    const small = await w.reserve('small', 7);
    expect(small.lines[0]!.lots).toEqual([
      { lotId: early.id, quantity: 5 },
      { lotId: late.id, quantity: 2 },
    ]);

    const big = await w.reserve('big', 10);
    expect(big.lines[0]!.lots).toEqual([
      { lotId: late.id, quantity: 3 },
      { lotId: noExpiry.id, quantity: 3 },
    ]);
    expect(big.shortfalls).toEqual([{ itemCode: w.ids.item, missing: 4 }]);
    for (const untouched of [expired, condemned, damaged, elsewhere]) {
      expect(await lotRow(untouched.id)).toMatchObject({ available: 50, held: 0, v: 0 });
    }
  });

  it('never oversells: 20 concurrent reservations against one lot reserve exactly what it holds', async () => {
    const w = await world('race');
    const N = 13;
    const lot = w.lot('scarce', N);
    await w.seedLots([lot]);

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => w.reserve(`racer-${i}`, 2)));

    const reserved = results.reduce((s, r) => s + r.lines[0]!.reserved, 0);
    const row = await lotRow(lot.id);
    expect(reserved).toBe(N);
    expect(row.available).toBe(0);
    expect(row.held).toBe(N - row.available);
    const holds = await holdsOf(db, results.map((r) => r.reservationId), [lot.id]);
    expect(holds).toHaveLength(results.filter((r) => r.lines[0]!.reserved > 0).length);
    expect(holds.reduce((n, x) => n + x.quantity, 0)).toBe(N);
    expect(results.filter((r) => r.shortfalls.length > 0).length).toBeGreaterThanOrEqual(13);
  });

  it('issue then return restores stock, release restores available, and bad input changes nothing', async () => {
    const w = await world('cycle');
    const lot = w.lot('quilts', 10);
    await w.seedLots([lot]);
    const cmd = (key: string, reservationId: string) => ({ idempotencyKey: `${incidentId}:cycle-${run}:${key}`, reservationId });

    const handedOut = await w.reserve('handed-out', 3);
    expect(await call(nc, supplies.issue, cmd('issue-1', handedOut.reservationId))).toMatchObject({ status: 'issued' });
    expect(await lotRow(lot.id)).toMatchObject({ quantity: 7, available: 7 });
    expect(await call(nc, supplies.issue, cmd('issue-1', handedOut.reservationId))).toMatchObject({ status: 'issued' });
    expect(await lotRow(lot.id)).toMatchObject({ quantity: 7, available: 7 });
    await expect(call(nc, supplies.release, cmd('release-late', handedOut.reservationId))).rejects.toMatchObject({ code: 'invalid_state' });
    expect(await call(nc, supplies.return, cmd('return-1', handedOut.reservationId))).toMatchObject({ status: 'returned' });
    expect(await lotRow(lot.id)).toMatchObject({ quantity: 10, available: 10 });

    const stoodDown = await w.reserve('stood-down', 4);
    expect(await lotRow(lot.id)).toMatchObject({ quantity: 10, available: 6 });
    expect(await call(nc, supplies.release, cmd('release-1', stoodDown.reservationId))).toMatchObject({ status: 'released' });
    expect(await lotRow(lot.id)).toMatchObject({ quantity: 10, available: 10 });
    await expect(call(nc, supplies.issue, cmd('issue-2', stoodDown.reservationId))).rejects.toMatchObject({ code: 'invalid_state' });

    const before = await lotRow(lot.id);
    const raw = await nc.request(
      supplies.reserve.subject,
      encodeJson({ idempotencyKey: `${incidentId}:cycle-${run}:negative`, incidentId, communityId: w.ids.community, lines: [{ itemCode: w.ids.item, quantity: -1 }] }),
      { timeout: 10_000 },
    );
    const reply = decodeJson(raw.data) as { ok: boolean; error: { code: string; details: { path: string }[] } };
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(reply.error.details.map((d) => d.path)).toContain('lines.0.quantity');
    const unknown = await call(nc, supplies.issue, cmd('issue-unknown', `res-missing-${run}`)).catch((e: LifelineError) => e);
    expect(unknown).toMatchObject({ code: 'not_found' });
    expect(await lotRow(lot.id)).toEqual(before);
    expect(await db.collection('reservations').countDocuments({ idempotencyKey: `${incidentId}:cycle-${run}:negative` })).toBe(0);

    const summary = await call(nc, supplies.summary, { incidentId });
    expect(summary.byCommunity[w.ids.community]).toEqual({ reserved: 7, issued: 3, shortfall: 0 });
  });
});
