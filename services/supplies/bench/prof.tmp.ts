import mongoose from 'mongoose';
import { createHandlers } from '../src/nats';
(async () => {
  const db = mongoose.createConnection('mongodb://127.0.0.1:22004', { dbName: 'lifeline_supplies', monitorCommands: true });
  await db.asPromise();
  const timing = new Map<string, { n: number; ms: number }>();
  const names = new Map<number, string>();
  db.getClient().on('commandStarted', (e: { requestId: number; commandName: string; command: Record<string, unknown> }) => names.set(e.requestId, `${e.commandName} ${String(e.command[e.commandName])}`));
  db.getClient().on('commandSucceeded', (e: { requestId: number; commandName: string; duration: number; reply?: unknown }) => { if (process.env.SHOW2) console.log(names.get(e.requestId), e.duration); const t = timing.get(e.commandName) ?? { n: 0, ms: 0 }; t.n++; t.ms += e.duration; timing.set(e.commandName, t); });
  db.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => { if (process.env.SHOW) console.log(e.commandName, JSON.stringify(e.command).slice(0, 160)); });
  const ctx = { db, events: { publish: async () => {} }, log: console, name: 'supplies' } as never;
  const h = await createHandlers(ctx);
  const run = Math.random().toString(36).slice(2, 8);
  const label = { zh: 'x', en: 'x' };
  const items = Array.from({ length: 10 }, (_, i) => `pi${i}-${run}`);
  await h.seed({ depots: [{ id: `pd-${run}`, name: label, level: 'community', areaId: `pc-${run}` }], items: items.map((code) => ({ code, name: label, unit: 'x', category: 'shelter' })), lots: items.flatMap((itemCode, i) => [0, 1, 2].map((n) => ({ id: `pl${i}-${n}-${run}`, depotId: `pd-${run}`, itemCode, quantity: 25, source: 'government' as const, condition: 'good' as const, expiresOn: `2090-0${n + 1}-01` }))) });
  timing.clear();
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) {
    const s = Date.now();
    await h.reserve({ idempotencyKey: `prof-${run}-${i}`, incidentId: `inc-prof-${run}`, communityId: `pc-${run}`, lines: [{ itemCode: items[i % 10]!, quantity: 3 }, { itemCode: items[(i + 3) % 10]!, quantity: 2 }], drill: false });
    console.log('took', Date.now() - s);
  }
  console.log(`5 in ${Date.now() - t0} ms`);
  console.log([...timing].map(([k, v]) => `${k}: n=${v.n} avg=${(v.ms / v.n).toFixed(1)}ms`).join('\n'));
  await db.close();
})();
