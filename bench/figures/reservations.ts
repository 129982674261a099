/**
 * Supplies reservations on 10 hot items, with 20 and with 200 clients at once: reservations per second, p95 latency
 * and units oversold, beside the per-write ceiling of the store (one guarded `updateOne` per reservation, sequential,
 * straight through the MongoDB driver) that the service's group commit must beat.
 *
 * The load itself comes from `runReservationBench` in services/supplies/bench/reservations.ts when that file exports
 * it (the supplies bench's owner keeps it); until then {@link hotItemBench} below drives the same shape of load.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { supplies } from '@lifeline/contracts';
import { call, type NatsConnection } from '@lifeline/platform';
import type { BenchContext } from '../lib/context';
import type { Figure } from '../lib/figure';
import { percentile, perSecond } from '../lib/stats';
import { normalizeReservations, type ReservationOutcome } from '../lib/normalize';
import type { Row } from '../lib/table';

export interface ReservationLoad {
  total: number;
  clients: number;
  items: number;
}

const SUPPLIES_BENCH = path.resolve(__dirname, '../../services/supplies/bench/reservations.ts');
/** Each reservation asks for this many units of one hot item. */
const UNITS = 2;
/** Stock per item is this share of the demand on it, so the last requests must be refused or cut short, never oversold. */
const STOCK_SHARE = 0.75;

/**
 * Drives the load itself: seeds a community with three depots and `items` items whose lots together hold
 * STOCK_SHARE of the demand, then `clients` loops reserve UNITS of item i % items each. Oversold units are read from
 * the answers: units granted per item beyond the units seeded. Not a drill: a drill reservation plans against the
 * stock without holding it (services/supplies/README.md), so it could never oversell, nor contend for a lot.
 */
export async function hotItemBench(nc: NatsConnection, load: ReservationLoad): Promise<ReservationOutcome> {
  const run = randomBytes(3).toString('hex');
  const label = { zh: '基准', en: 'bench' };
  const community = `c-bench-${run}`;
  const items = Array.from({ length: load.items }, (_, i) => `hot${i}-${run}`);
  const perItem = Math.floor(((load.total / load.items) * UNITS * STOCK_SHARE) / 3) * 3;
  await call(
    nc,
    supplies.seed,
    {
      depots: [
        { id: `dx-bench-${run}`, name: label, level: 'city', areaId: `city-bench-${run}` },
        { id: `dd-bench-${run}`, name: label, level: 'district', areaId: `d-bench-${run}`, parentId: `dx-bench-${run}` },
        { id: `dc-bench-${run}`, name: label, level: 'community', areaId: community, parentId: `dd-bench-${run}` },
      ],
      items: items.map((code) => ({ code, name: label, unit: 'piece', category: 'shelter' as const })),
      lots: items.flatMap((itemCode, i) => ['dc', 'dd', 'dx'].map((d, n) => ({ id: `lot${i}-${n}-${run}`, depotId: `${d}-bench-${run}`, itemCode, quantity: perItem / 3, source: 'government' as const, expiresOn: `2099-0${n + 1}-01` }))),
    },
    { timeoutMs: 60_000 },
  );
  const granted = new Map<string, number>();
  const latencies: number[] = [];
  let shortUnits = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: load.clients }, async () => {
      for (let i = next++; i < load.total; i = next++) {
        const itemCode = items[i % load.items]!;
        const t = performance.now();
        const answer = await call(nc, supplies.reserve, { idempotencyKey: `bench-${run}:reserve-${i}`, incidentId: `inc-bench-${run}`, communityId: community, lines: [{ itemCode, quantity: UNITS }] }, { timeoutMs: 120_000 });
        latencies.push(performance.now() - t);
        for (const line of answer.lines) granted.set(line.itemCode, (granted.get(line.itemCode) ?? 0) + line.reserved);
        shortUnits += answer.shortfalls.reduce((n, s) => n + s.missing, 0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  const oversoldUnits = items.reduce((n, code) => n + Math.max(0, (granted.get(code) ?? 0) - perItem), 0);
  return { perSecond: perSecond(load.total, elapsed), p95Ms: percentile(latencies, 95), oversoldUnits, shortUnits };
}

/** The supplies bench's own driver when its file exports one (checked before each run), else {@link hotItemBench}. */
async function driver(): Promise<{ name: string; run: (nc: NatsConnection, load: ReservationLoad) => Promise<ReservationOutcome> }> {
  const text = fs.existsSync(SUPPLIES_BENCH) ? fs.readFileSync(SUPPLIES_BENCH, 'utf8') : '';
  if (!/export\s+(async\s+function|function|const)\s+runReservationBench\b/.test(text)) return { name: 'bench/figures/reservations.ts hotItemBench', run: hotItemBench };
  const mod = (await import(SUPPLIES_BENCH)) as { runReservationBench: (nc: NatsConnection, load: ReservationLoad) => Promise<unknown> };
  return { name: 'services/supplies/bench/reservations.ts runReservationBench', run: async (nc, load) => normalizeReservations(await mod.runReservationBench(nc, load)) };
}

/** The per-write ceiling: one guarded decrement per reservation, one at a time, on the bench's own collection. */
async function naiveGuardedWrites(ctx: BenchContext, writes: number, items: number): Promise<number> {
  const stock = ctx.mongo.db('lifeline_bench').collection<{ _id: string; available: number }>(`naive_stock_${randomBytes(3).toString('hex')}`);
  await stock.insertMany(Array.from({ length: items }, (_, i) => ({ _id: `hot${i}`, available: writes * UNITS })));
  const started = performance.now();
  for (let i = 0; i < writes; i++) {
    const result = await stock.updateOne({ _id: `hot${i % items}`, available: { $gte: UNITS } }, { $inc: { available: -UNITS } });
    if (result.modifiedCount !== 1) throw new Error(`naive guarded write ${i} did not apply`);
  }
  const rate = perSecond(writes, performance.now() - started);
  await stock.drop();
  return rate;
}

export const reservations: Figure = {
  id: 'reservations',
  title: 'supplies reservations',
  async run(ctx) {
    const items = 10;
    const total = ctx.quick ? 400 : 4_000;
    const { name, run } = await driver();
    ctx.log(`reservations driven by ${name}`);
    const naive = await naiveGuardedWrites(ctx, ctx.quick ? 400 : 2_000, items);
    const rows: Row[] = [];
    for (const clients of [20, 200]) {
      const outcome = await run(ctx.nc, { total, clients, items });
      const base = { figure: `reservations, ${clients} clients on ${items} hot items`, quick: ctx.quick };
      rows.push(
        { ...base, metric: 'reservations per second', unit: '/s', value: outcome.perSecond, baseline: naive, better: 'higher', goal: { op: '>=', target: 1_000 }, note: `${total} reservations` },
        { ...base, metric: 'p95 latency', unit: 'ms', value: outcome.p95Ms, better: 'lower', goal: { op: '<=', target: 250 } },
        { ...base, metric: 'oversold units', unit: '', value: outcome.oversoldUnits, better: 'lower', goal: { op: '==', target: 0 }, ...(outcome.shortUnits !== undefined ? { note: `${outcome.shortUnits} units refused as shortfall` } : {}) },
      );
    }
    return rows;
  },
};
