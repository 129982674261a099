/**
 * What the shared rate limit and the hash-chained audit log add to a request, measured against the running local
 * stack's store (a scratch database, `lifeline_bench_command_center`, so the stack's own chain is left alone):
 *   limit  — one counted change: SharedWindowStore.increment (one `$inc` upsert) vs express-rate-limit's MemoryStore
 *   audit  — one audit entry: AuditLog.create (sealed, chained, `_id` = seq) vs the plain insert it replaced
 * Rounds alternate A and B, so both see the same machine; the load average is printed beside every figure.
 *
 *   node --import tsx services/command-center/bench/limit-and-audit-cost.ts [rounds=4] [calls=200]
 */
import { loadavg } from 'node:os';
import { MemoryStore, type Options } from 'express-rate-limit';
import mongoose from 'mongoose';
import { loadOrCreateSecrets, stackConfig } from '@lifeline/local-stack';
import { connectMongo, PiiVault } from '@lifeline/platform';
import { AuditLog } from '../src/audit';
import { auditModel } from '../src/model/audit';
import { rateWindowModel } from '../src/model/rate-window';
import { SharedWindowStore, WINDOW_MS } from '../src/rate-limit';

const [rounds = 4, calls = 200] = process.argv.slice(2).map(Number);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const quantile = (ms: number[], q: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;

async function timed(n: number, one: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await one(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms;
}

const line = (what: string, ms: number[]) => `${what.padEnd(34)} p50 ${quantile(ms, 0.5).toFixed(2)} ms  p95 ${quantile(ms, 0.95).toFixed(2)} ms  (load ${load()})`;

async function main() {
  const config = stackConfig();
  const secrets = loadOrCreateSecrets(config.dataDir);
  const db = await connectMongo(process.env.MONGO_URL ?? `mongodb://127.0.0.1:${config.ports.mongo}`, 'lifeline_bench_command_center');
  await db.dropDatabase();
  const vault = new PiiVault(secrets.piiKey);
  const shared = new SharedWindowStore(rateWindowModel(db), { keyOf: (k) => vault.blindIndex(k), timeoutMs: 5_000, warn: (err) => console.error('shared count failed', err) });
  const memory = new MemoryStore();
  for (const s of [shared, memory]) s.init({ windowMs: WINDOW_MS } as Options);
  const chained = new AuditLog(auditModel(db), vault);
  const plain = db.collection('audit_plain');
  await Promise.all(Object.values(db.models).map((m) => m.init()));
  const entry = (i: number) => ({ at: new Date(), subject: `bench-operator-${i % 5}`, role: 'commander', action: 'incident.command.advance', target: `inc-bench-${i}`, detail: { reason: 'bench' } });

  console.log(`rounds ${rounds} × ${calls} calls each, alternating (load ${load()})`);
  for (let r = 0; r < rounds; r++) {
    // A fresh caller each round, so no window runs far past the limit it would be held to.
    console.log(line(`limit, shared store (round ${r + 1})`, await timed(calls, (i) => shared.increment(`sub:bench-${r}-${i % 5}`))));
    console.log(line(`limit, process memory (round ${r + 1})`, await timed(calls, (i) => Promise.resolve(memory.increment(`sub:bench-${r}-${i % 5}`)))));
    console.log(line(`audit, chained (round ${r + 1})`, await timed(calls, (i) => chained.create(entry(i)))));
    console.log(line(`audit, plain insert (round ${r + 1})`, await timed(calls, (i) => plain.insertOne({ ...entry(i) }))));
  }
  const verifyMs = await timed(1, () => chained.verify());
  console.log(line(`verify ${rounds * calls} chained entries`, verifyMs));
  await db.dropDatabase();
  await db.close();
  await mongoose.disconnect();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
