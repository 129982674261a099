import { localProvider } from '@lifeline/local-stack';
import { STREAMS, supplies, suppliesEvents, type suppliesContract } from '@lifeline/contracts';
import { call, decodeJson, encodeJson, type NatsConnection } from '@lifeline/platform';
import { connectAdmin, killHard } from '@lifeline/testkit';
import { holdsOf, lotRow, openHarness, world, type Harness } from './fixtures';

type Reservation = suppliesContract.Reservation;

/**
 * Nothing lost, nothing twice, across a crash: supplies is killed without warning while a burst of reservations is
 * being answered (lot commits, hold inserts, reservation inserts and outbox publishes all in flight), comes back,
 * and every request that got no answer is sent again (an answered one is not: its caller has moved on). Every key has
 * one reservation; the holds, the lots and the replies agree to the unit; the stream holds each reservation's events
 * exactly once — including those answered before the crash whose events were still in the outbox, which only the
 * restarted outbox can publish; and afterwards a repeat of an answered request gets the first answer.
 */
const REQUESTS = 800;
const ITEMS = 8;
const CONNECTIONS = 4;
const LOT_SIZES = [60, 40, 30];
const STOCK_PER_ITEM = LOT_SIZES.reduce((a, b) => a + b, 0);

let h: Harness;
const clients: NatsConnection[] = [];

beforeAll(async () => {
  h = await openHarness('supplies-restart-test');
  for (let i = 0; i < CONNECTIONS; i++) clients.push(await connectAdmin(`supplies-restart-${i}`));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await h?.close();
});

/** The events stream read through the JetStream API: the last sequence, and the next message on a subject from a sequence. */
const jsApi = async (what: string, body: object) => decodeJson((await h.nc.request(`$JS.API.${what}.${STREAMS.events.name}`, encodeJson(body), { timeout: 10_000 })).data) as Record<string, unknown>;
const lastSeq = async () => ((await jsApi('STREAM.INFO', {})) as { state: { last_seq: number } }).state.last_seq;

/** Message ids of the envelopes on `subject` from sequence `from` on, for this incident. */
async function eventIds(subject: string, from: number, incidentId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let seq = from; ; ) {
    const got = (await jsApi('STREAM.MSG.GET', { seq, next_by_subj: subject })) as { message?: { seq: number; data: string } };
    if (!got.message) return ids;
    const envelope = JSON.parse(Buffer.from(got.message.data, 'base64').toString()) as { id: string; incidentId?: string };
    if (envelope.incidentId === incidentId) ids.push(envelope.id);
    seq = got.message.seq + 1;
  }
}

it('supplies killed mid-burst and restarted: one reservation per key, holds and lots balance, each event once', async () => {
  const incidentId = `inc-restart-${h.run}`;
  const w = await world(h, 'restart', ITEMS);
  const lots = w.items.flatMap((itemCode, i) => LOT_SIZES.map((quantity, n) => w.lot(`lot${i}-${n}`, quantity, { itemCode, expiresOn: `2090-0${n + 1}-01` })));
  await w.seedLots(lots);
  // Per item 100 requests of 1–2 units and 25 second lines of 1: 175 units against 130, so the last ones run short.
  const lines = (i: number) =>
    [
      { itemCode: w.items[i % ITEMS]!, quantity: 1 + (Math.floor(i / ITEMS) % 2) },
      { itemCode: w.items[(i + 1) % ITEMS]!, quantity: Math.floor(i / ITEMS) % 4 === 0 ? 1 : 0 },
    ].filter((l) => l.quantity > 0);
  const send = (i: number, timeoutMs: number) => call(clients[i % CONNECTIONS]!, supplies.reserve, { idempotencyKey: w.key(`r-${i}`, incidentId), incidentId, communityId: w.ids.community, lines: lines(i) }, { timeoutMs });
  const from = (await lastSeq()) + 1;

  let answered = 0;
  let killed: Promise<void> | undefined;
  let before: PromiseSettledResult<Reservation>[];
  try {
    before = await Promise.allSettled(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const r = await send(i, 15_000);
        if (++answered === REQUESTS / 4) killed = killHard('supplies');
        return r;
      }),
    );
    await killed;
  } finally {
    await localProvider().start({ apps: true, log: () => {} });
  }
  const first = before.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  process.stderr.write(`[restart] ${first.filter(Boolean).length} of ${REQUESTS} answered before the kill\n`);
  // The kill fell inside the burst: some were answered, some were not.
  expect(killed).toBeDefined();
  expect(first.filter((r) => r === undefined).length).toBeGreaterThan(0);

  const replies = await Promise.all(first.map((r, i) => r ?? send(i, 120_000)));
  expect(new Set(replies.map((r) => r.reservationId)).size).toBe(REQUESTS);
  expect(await h.db.collection('reservations').countDocuments({ incidentId })).toBe(REQUESTS);

  for (const itemCode of w.items) {
    const mine = replies.flatMap((r) => r.lines).filter((l) => l.itemCode === itemCode);
    expect(mine.reduce((n, l) => n + l.reserved, 0)).toBe(STOCK_PER_ITEM);
  }
  const holds = await holdsOf(h.db, replies.map((r) => r.reservationId), lots.map((l) => l.id));
  const fromReplies = replies.flatMap((r) => r.lines.flatMap((l) => l.lots.map((x) => `${x.lotId}/${r.reservationId}:${x.quantity}`)));
  expect(holds.map((x) => `${x.lotId}/${x.reservationId}:${x.quantity}`).sort()).toEqual(fromReplies.sort());
  for (const lot of lots) {
    const doc = await lotRow(h.db, lot.id);
    const held = holds.filter((x) => x.lotId === lot.id).reduce((n, x) => n + x.quantity, 0);
    expect({ lot: lot.id, available: doc.available, held: doc.held }).toEqual({ lot: lot.id, available: lot.quantity - held, held });
  }

  // The outbox publishes after the answers: wait until it has drained, then count.
  const expected = replies.map((r) => `${r.reservationId}:reserved`).sort();
  const short = replies.filter((r) => r.shortfalls.length > 0).map((r) => `${r.reservationId}:shortfall`).sort();
  expect(short.length).toBeGreaterThan(0);
  let reserved: string[] = [];
  for (let i = 0; i < 60 && reserved.length < expected.length; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500));
    reserved = await eventIds(suppliesEvents.reserved.subject, from, incidentId);
  }
  expect(reserved.sort()).toEqual(expected);
  expect((await eventIds(suppliesEvents.shortfall.subject, from, incidentId)).sort()).toEqual(short);
  // And the outbox let go of them: no mark names any of these reservations any more.
  const ids = new Set(replies.map((r) => r.reservationId));
  for (let i = 0; i < 20; i++) {
    const marks = await h.db.collection<{ ids: string }>('outbox').find({}).toArray();
    if (!marks.some((m) => m.ids.split(';').some((id) => ids.has(id)))) break;
    if (i === 19) throw new Error(`outbox marks still name reservations of this run: ${marks.length} marks`);
    await new Promise((r) => setTimeout(r, 500));
  }

  // A repeat of a request answered before the crash finds its reservation and gets the same answer.
  const answeredFirst = first.flatMap((r, i) => (r ? [i] : []));
  const repeats = await Promise.all(answeredFirst.map((i) => send(i, 120_000)));
  expect(repeats).toEqual(answeredFirst.map((i) => first[i]));
}, 400_000);
