import type { suppliesContract } from '@lifeline/contracts';
import type { NatsConnection } from '@lifeline/platform';
import { holdsOf, lotRow, openHarness, world, type Harness } from './fixtures';
import { connectAdmin } from '@lifeline/testkit';

type Reservation = suppliesContract.Reservation;

/**
 * Group commit, proven: 1,000 reservations sent at once for 10 items (about 1.35 × the stock) are never oversold,
 * and the lots record far fewer commits (each commit bumps a lot's `v` once) than the holds they created.
 */
const REQUESTS = 1000;
const ITEMS = 10;
const CONNECTIONS = 4;
const LOT_SIZES = [60, 40, 30];
const STOCK_PER_ITEM = LOT_SIZES.reduce((a, b) => a + b, 0);

let h: Harness;
const clients: NatsConnection[] = [];

beforeAll(async () => {
  h = await openHarness('supplies-burst-test');
  for (let i = 0; i < CONNECTIONS; i++) clients.push(await connectAdmin(`supplies-burst-${i}`));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await h?.close();
});

it('a burst of 1,000 reservations is never oversold, and lot commits are far fewer than holds', async () => {
  const incidentId = `inc-burst-${h.run}`;
  const w = await world(h, 'burst', ITEMS);
  const lots = w.items.flatMap((itemCode, i) => LOT_SIZES.map((quantity, n) => w.lot(`lot${i}-${n}`, quantity, { itemCode, expiresOn: `2090-0${n + 1}-01` })));
  await w.seedLots(lots);
  // Per item: 100 requests for 1 or 2 units, and 25 for 1 more unit as a second line: 175 units against 130 in stock.
  const lines = (i: number) => [
    { itemCode: w.items[i % ITEMS]!, quantity: 1 + (Math.floor(i / ITEMS) % 2) },
    { itemCode: w.items[(i + 1) % ITEMS]!, quantity: Math.floor(i / ITEMS) % 4 === 0 ? 1 : 0 },
  ].filter((l) => l.quantity > 0);

  const started = performance.now();
  const replies: Reservation[] = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => w.reserve(`burst-${i}`, lines(i), incidentId, clients[i % CONNECTIONS])));
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`[burst] ${REQUESTS} reservations in ${seconds.toFixed(2)} s (${(REQUESTS / seconds).toFixed(0)}/s)\n`);

  for (const itemCode of w.items) {
    const mine = replies.flatMap((r) => r.lines).filter((l) => l.itemCode === itemCode);
    const asked = mine.reduce((n, l) => n + l.requested, 0);
    const reserved = mine.reduce((n, l) => n + l.reserved, 0);
    expect(reserved).toBeLessThanOrEqual(STOCK_PER_ITEM);
    if (asked >= STOCK_PER_ITEM) expect(reserved).toBe(STOCK_PER_ITEM);
  }
  const holds = await holdsOf(h.db, replies.map((r) => r.reservationId), lots.map((l) => l.id));
  const fromReplies = replies.flatMap((r) => r.lines.flatMap((l) => l.lots.map((x) => `${x.lotId}/${r.reservationId}:${x.quantity}`)));
  expect(holds.map((x) => `${x.lotId}/${x.reservationId}:${x.quantity}`).sort()).toEqual(fromReplies.sort());

  let commits = 0;
  for (const lot of lots) {
    const doc = await lotRow(h.db, lot.id);
    const held = holds.filter((x) => x.lotId === lot.id).reduce((n, x) => n + x.quantity, 0);
    expect({ lot: lot.id, available: doc.available, held: doc.held }).toEqual({ lot: lot.id, available: lot.quantity - held, held });
    commits += doc.v;
  }
  process.stderr.write(`[burst] ${holds.length} holds in ${commits} lot commits\n`);
  expect(commits).toBeGreaterThan(0);
  expect(commits * 4).toBeLessThan(holds.length);
}, 300_000);
