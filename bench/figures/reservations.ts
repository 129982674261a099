/**
 * Supplies reservations on 10 hot items, with 20 and with 200 clients at once: reservations per second, p95 latency
 * and units oversold, beside the per-write ceiling of the store (one guarded `updateOne` per reservation, sequential,
 * straight through the MongoDB driver) that the service's group commit must beat.
 *
 * The load is the supplies bench's (`runReservationBench` in services/supplies/bench/reservations.ts, kept by the
 * service's owner): each request reserves two lines on the hot items, whose stock covers 95 % of the demand.
 */
import { randomBytes } from 'node:crypto';
import { runReservationBench } from '@lifeline/supplies/bench/reservations';
import type { BenchContext } from '../lib/context';
import type { Figure } from '../lib/figure';
import { perSecond } from '../lib/stats';
import type { Row } from '../lib/table';

/** Units a naive write takes, as one line of the supplies bench does. */
const UNITS = 2;

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
    const naive = await naiveGuardedWrites(ctx, ctx.quick ? 400 : 2_000, items);
    const rows: Row[] = [];
    for (const clients of [20, 200]) {
      const r = await runReservationBench(ctx.nc, { total, clients, items });
      const base = { figure: `reservations, ${clients} clients on ${items} hot items`, quick: ctx.quick };
      const errors = r.errors ? `; ${r.errors} requests failed` : '';
      rows.push(
        { ...base, metric: 'reservations per second', unit: '/s', value: r.perSecond, baseline: naive, better: 'higher', goal: { op: '>=', target: 1_000 }, note: `${total} reservations of 2 lines${errors}` },
        { ...base, metric: 'p95 latency', unit: 'ms', value: r.p95, better: 'lower', goal: { op: '<=', target: 250 }, note: `p50 ${r.p50} ms, p99 ${r.p99} ms` },
        { ...base, metric: 'oversold units', unit: '', value: r.oversold, better: 'lower', goal: { op: '==', target: 0 }, note: `stock ${r.stock}, asked ${r.asked}, reserved ${r.reserved}, ${r.short} refused as shortfall` },
      );
    }
    return rows;
  },
};
