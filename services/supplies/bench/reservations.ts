/**
 * Reservation throughput against a running stack (not a test):
 *   node --import tsx services/supplies/bench/reservations.ts [total=5000] [clients=20] [items=10] [stockRatio=0.95]
 * Seeds a fresh community (its stockpile, a district and a city depot, three lots per item), then `clients` clients
 * each send reserve requests one after another over NATS until `total` were sent, each asking 3 units of one of the
 * `items` hot items and 2 of the next. Stock is `stockRatio` × demand, so the last requests run short and a reservation
 * beyond the stock would show: `oversold` counts units reserved above an item's stock (must be 0). NATS comes from
 * NATS_URL/NATS_USER/NATS_PASSWORD, else the local stack (NATS_PORT, admin password from
 * $LIFELINE_DATA_DIR/secrets.json). `runReservationBench` is the same run for a harness that has a connection.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { supplies } from '@lifeline/contracts';
import { call, connectNats, type NatsConnection } from '@lifeline/platform';

export interface ReservationBenchOptions {
  total: number;
  clients: number;
  items: number;
  /** Stock per item as a share of what the requests ask for it (default 0.95). */
  stockRatio?: number;
}

export interface ReservationBenchResult {
  total: number;
  clients: number;
  items: number;
  seconds: number;
  perSecond: number;
  /** Latency of one reserve request as the client sees it, ms. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Units seeded, units asked, units reserved, units reported short. */
  stock: number;
  asked: number;
  reserved: number;
  short: number;
  /** Units reserved beyond an item's stock, summed over items: never anything but 0. */
  oversold: number;
  /** Requests that failed (any error reply or timeout). */
  errors: number;
}

const LINE_UNITS = [3, 2];
const LOT_SHARES = [0.5, 0.3, 0.2];

/** Seed the bench's own community and items; returns what each item holds in stock. */
async function seedWorld(nc: NatsConnection, run: string, items: string[], stockPerItem: number) {
  const label = { zh: '基准', en: 'bench' };
  const lotSizes = LOT_SHARES.map((share, n) => (n < LOT_SHARES.length - 1 ? Math.floor(stockPerItem * share) : 0));
  lotSizes[lotSizes.length - 1] = stockPerItem - lotSizes.reduce((a, b) => a + b, 0);
  await call(nc, supplies.seed, {
    depots: [
      { id: `dx-bench-${run}`, name: label, level: 'city', areaId: `city-bench-${run}` },
      { id: `dd-bench-${run}`, name: label, level: 'district', areaId: `d-bench-${run}`, parentId: `dx-bench-${run}` },
      { id: `dc-bench-${run}`, name: label, level: 'community', areaId: `c-bench-${run}`, parentId: `dd-bench-${run}` },
    ],
    items: items.map((code) => ({ code, name: label, unit: 'piece', category: 'shelter' as const })),
    lots: items.flatMap((itemCode, i) =>
      ['dc', 'dd', 'dx'].map((d, n) => ({ id: `lot${i}-${n}-${run}`, depotId: `${d}-bench-${run}`, itemCode, quantity: lotSizes[n]!, source: 'government' as const, expiresOn: `2099-0${n + 1}-01` })),
    ),
  }, { timeoutMs: 60_000 });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Run the benchmark on an open connection; seeds its own data (ids unique to the run). */
export async function runReservationBench(nc: NatsConnection, opts: ReservationBenchOptions): Promise<ReservationBenchResult> {
  const { total, clients, items: itemCount } = opts;
  const run = randomBytes(3).toString('hex');
  const items = Array.from({ length: itemCount }, (_, i) => `bench${i}-${run}`);
  const linesOf = (i: number) => LINE_UNITS.map((quantity, k) => ({ itemCode: items[(i + k) % itemCount]!, quantity }));
  const demand = new Map<string, number>();
  for (let i = 0; i < total; i++) for (const l of linesOf(i)) demand.set(l.itemCode, (demand.get(l.itemCode) ?? 0) + l.quantity);
  const stockPerItem = Math.floor((Math.max(...demand.values()) * (opts.stockRatio ?? 0.95)));
  await seedWorld(nc, run, items, stockPerItem);

  const latencies: number[] = [];
  const reservedOf = new Map<string, number>();
  let short = 0;
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        try {
          const r = await call(nc, supplies.reserve, { idempotencyKey: `bench-${run}:reserve-${i}`, incidentId: `inc-bench-${run}`, communityId: `c-bench-${run}`, lines: linesOf(i) }, { timeoutMs: 120_000 });
          latencies.push(performance.now() - t);
          for (const l of r.lines) reservedOf.set(l.itemCode, (reservedOf.get(l.itemCode) ?? 0) + l.reserved);
          short += r.shortfalls.reduce((n, f) => n + f.missing, 0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const reserved = [...reservedOf.values()].reduce((a, b) => a + b, 0);
  const round = (n: number) => Math.round(n);
  return {
    total,
    clients,
    items: itemCount,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: round(total / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? 0),
    stock: stockPerItem * itemCount,
    asked: [...demand.values()].reduce((a, b) => a + b, 0),
    reserved,
    short,
    oversold: [...reservedOf.values()].reduce((n, units) => n + Math.max(0, units - stockPerItem), 0),
    errors,
  };
}

function natsSettings() {
  const dataDir = process.env.LIFELINE_DATA_DIR ?? '.data';
  const file = path.join(dataDir, 'secrets.json');
  const secrets = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { nats: { admin: string } }) : undefined;
  return { NATS_URL: process.env.NATS_URL ?? `nats://127.0.0.1:${process.env.NATS_PORT ?? 4222}`, NATS_USER: process.env.NATS_USER ?? 'admin', NATS_PASSWORD: process.env.NATS_PASSWORD ?? secrets?.nats.admin };
}

export const describeResult = (r: ReservationBenchResult) =>
  `reservations: ${r.total} in ${r.seconds} s = ${r.perSecond}/s (${r.clients} clients, ${r.items} items, 2 lines each); ` +
  `latency p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, max ${r.max} ms; ` +
  `stock ${r.stock}, asked ${r.asked}, reserved ${r.reserved}, short ${r.short}, oversold ${r.oversold}, errors ${r.errors}`;

async function main() {
  const [total = 5000, clients = 20, items = 10, stockRatio = 0.95] = process.argv.slice(2).map(Number);
  const nc = await connectNats(natsSettings(), 'supplies-bench');
  try {
    process.stdout.write(`${describeResult(await runReservationBench(nc, { total, clients, items, stockRatio }))}\n`);
  } finally {
    await nc.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`[bench] ${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  });
}
