/**
 * Ledger figures against a running stack (the service, NATS, the store):
 *   consumer   — personnel task-completed events credited per second (publish → ledger entry)
 *   redeem     — concurrent redemptions by one participant (the chain serialises them)
 *   verify     — verifying every chain in the store
 * Run: node --import tsx services/incentives/bench/ledger.ts [tasks=200] [participants=20] [redemptions=25]
 * (with the stack's env, e.g. LIFELINE_DATA_DIR/NATS_PORT/MONGO_PORT as for `lifeline up`).
 */
import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { incentives, personnelEvents } from '@lifeline/contracts';
import { call, encodeJson } from '@lifeline/platform';
import { connectAdmin } from '@lifeline/testkit';

const [tasks = 200, participants = 20, redemptions = 25] = process.argv.slice(2).map(Number);
const run = randomUUID().slice(0, 8);
const per = (n: number, ms: number) => (n / (ms / 1000)).toFixed(1);

async function main() {
  const nc = await connectAdmin('incentives-bench');
  const js = jetstream(nc);
  const incidentId = `inc-bench-${run}`;

  // consumer: assigned + completed events for `tasks` tasks spread over `participants` people.
  const t0 = Date.now();
  for (let i = 0; i < tasks; i++) {
    const ownerId = `p-bench-${run}-${i % participants}`;
    const task = { taskId: `task-bench-${run}-${i}`, incidentId, communityId: 'c-bench', stepId: 'bench', role: 'volunteer', ownerId, owners: [ownerId], status: 'done', drill: false, hours: 0.5, severity: 'IV' };
    for (const [def, at] of [[personnelEvents.assigned, Date.now() - 3600_000], [personnelEvents.completed, Date.now()]] as const) {
      const envelope = { id: `${task.taskId}:${def.name}`, type: `personnel.${def.name}`, time: new Date(at).toISOString(), incidentId, data: task };
      await js.publish(def.subject, encodeJson(envelope), { msgID: envelope.id });
    }
  }
  const published = Date.now() - t0;
  let awards = 0;
  while (awards < tasks) {
    awards = (await call(nc, incentives.summary, { incidentId })).awards;
    if (awards < tasks) await new Promise((r) => setTimeout(r, 250));
  }
  const credited = Date.now() - t0;
  console.log(`consumer: ${tasks} completions (${participants} participants) published in ${published} ms, all credited after ${credited} ms → ${per(tasks, credited)} awards/s`);

  // redeem: one participant, `redemptions` concurrent requests, balance for all of them.
  const participantId = `p-bench-${run}-rich`;
  const itemId = `item-bench-${run}`;
  await call(nc, incentives.restock, { idempotencyKey: `bench-${run}-stock`, itemId, title: { zh: '毛巾', en: 'Towel' }, points: 1, add: redemptions });
  await call(nc, incentives.manualAward, { idempotencyKey: `bench-${run}-seed`, participantId, participantType: 'resident-volunteer', points: redemptions, reason: 'benchmark balance', operatorId: 'op-bench' });
  const t1 = Date.now();
  const latencies = await Promise.all(
    Array.from({ length: redemptions }, async (_, i) => {
      const s = Date.now();
      await call(nc, incentives.redeem, { idempotencyKey: `bench-${run}-r${i}`, participantId, itemId, quantity: 1 }, { timeoutMs: 120_000 });
      return Date.now() - s;
    }),
  );
  const redeemed = Date.now() - t1;
  latencies.sort((a, b) => a - b);
  console.log(`redeem: ${redemptions} concurrent redemptions by one participant in ${redeemed} ms → ${per(redemptions, redeemed)} /s; latency p50 ${latencies[Math.floor(redemptions / 2)]} ms, max ${latencies[redemptions - 1]} ms`);

  // verify: every chain in the store.
  const t2 = Date.now();
  const verified = await call(nc, incentives.verify, {}, { timeoutMs: 300_000 });
  const took = Date.now() - t2;
  console.log(`verify: ${verified.participants} chains, ${verified.entries} entries in ${took} ms → ${per(verified.entries, took)} entries/s (broken: ${verified.broken.length})`);
  await nc.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
