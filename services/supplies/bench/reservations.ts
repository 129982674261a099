/**
 * Reservation throughput against a running stack (not a test):
 *   LIFELINE_DATA_DIR=… NATS_PORT=… node --import tsx services/supplies/bench/reservations.ts [reservations=400] [concurrency=20] [items=10]
 * Seeds a fresh community (its stockpile, a district and a city depot, three lots per item with enough stock for
 * every request), then sends `reservations` reserve requests over NATS, `concurrency` at a time, each for two of the
 * `items` items, and prints reservations/s and latency percentiles. Every lot is shared by many requests, so the
 * figure includes contention on the lot ledger. NATS comes from NATS_URL/NATS_USER/NATS_PASSWORD, else the local stack
 * (NATS_PORT, admin password from $LIFELINE_DATA_DIR/secrets.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { supplies } from '@lifeline/contracts';
import { call, connectNats } from '@lifeline/platform';

const [total = 400, concurrency = 20, itemCount = 10] = process.argv.slice(2).map(Number);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function natsSettings() {
  const dataDir = process.env.LIFELINE_DATA_DIR ?? '.data';
  const file = path.join(dataDir, 'secrets.json');
  const secrets = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { nats: { admin: string } }) : undefined;
  return { NATS_URL: process.env.NATS_URL ?? `nats://127.0.0.1:${process.env.NATS_PORT ?? 4222}`, NATS_USER: process.env.NATS_USER ?? 'admin', NATS_PASSWORD: process.env.NATS_PASSWORD ?? secrets?.nats.admin };
}

async function main() {
  const nc = await connectNats(natsSettings(), 'supplies-bench');
  const run = randomBytes(3).toString('hex');
  const label = { zh: '基准', en: 'bench' };
  const community = `c-bench-${run}`;
  const items = Array.from({ length: itemCount }, (_, i) => `bench${i}-${run}`);
  const perLot = Math.ceil((total * 2 * 3) / itemCount / 3) + 10;
  await call(nc, supplies.seed, {
    depots: [
      { id: `dx-bench-${run}`, name: label, level: 'city', areaId: `city-bench-${run}` },
      { id: `dd-bench-${run}`, name: label, level: 'district', areaId: `d-bench-${run}`, parentId: `dx-bench-${run}` },
      { id: `dc-bench-${run}`, name: label, level: 'community', areaId: community, parentId: `dd-bench-${run}` },
    ],
    items: items.map((code) => ({ code, name: label, unit: 'piece', category: 'shelter' as const })),
    lots: items.flatMap((itemCode, i) =>
      ['dc', 'dd', 'dx'].map((d, n) => ({ id: `lot${i}-${n}-${run}`, depotId: `${d}-bench-${run}`, itemCode, quantity: perLot, source: 'government' as const, expiresOn: `2099-0${n + 1}-01` })),
    ),
  }, { timeoutMs: 60_000 });
  log(`seeded ${itemCount} items × 3 lots of ${perLot}; ${total} reservations, ${concurrency} in flight`);

  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        await call(nc, supplies.reserve, {
          idempotencyKey: `bench-${run}:reserve-${i}`,
          incidentId: `inc-bench-${run}`,
          communityId: community,
          lines: [{ itemCode: items[i % itemCount]!, quantity: 3 }, { itemCode: items[(i + 1) % itemCount]!, quantity: 2 }],
        }, { timeoutMs: 120_000 });
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(0);
  process.stdout.write(`reservations: ${total} in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(1)} reservations/s (concurrency ${concurrency}, ${itemCount} items, 2 lines each); latency p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms\n`);
  await nc.close();
}

main().catch((err: unknown) => {
  log(String((err as Error).stack ?? err));
  process.exit(1);
});
