/**
 * What exporting spans costs, measured: runs community drills on the running local stack and reads the CPU time
 * (user + system, from /proc) every stack process spent meanwhile — Lifeline's processes, the infrastructure and, with
 * tracing on, Jaeger. Run it once on a stack started without tracing and once with (`lifeline up --detach [--tracing]`),
 * alternating, and compare the totals (README, "Traces", has the figures).
 *
 *   node --import tsx scripts/tracing-cost.ts [--drills 4] [--communities 4] [--seed 77] [--json]
 *
 * The drills run side by side, one community each; the city is seeded first (same seed: same city every run).
 */
import fs from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { IncidentView } from '@lifeline/contracts';
import { readStackState } from '@lifeline/local-stack';
import { api } from '@lifeline/cli';
import { buildCity, connectAdmin, sendCity } from '@lifeline/testkit';

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU seconds (user + system) a process has used so far; 0 for one that is gone. */
function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

async function main() {
  const { values } = parseArgs({ options: { drills: { type: 'string' }, communities: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } } });
  const drills = Number(values.drills ?? 4);
  const city = buildCity({ communities: Number(values.communities ?? drills), residents: 60 * drills, seed: Number(values.seed ?? 77), today: new Date().toISOString().slice(0, 10) });
  const communities = city.units.filter((u) => u.level === 'community').slice(0, drills);
  const nc = await connectAdmin('tracing-cost');
  await sendCity(nc, city);
  await nc.close();

  const processes = (await readStackState()).filter((c) => c.running && c.pid !== undefined) as { name: string; pid: number }[];
  const tracing = processes.some((p) => p.name === 'jaeger');
  const before = new Map(processes.map((p) => [p.name, cpuSeconds(p.pid)]));
  const load = loadavg()[0]!.toFixed(2);
  const started = Date.now();
  const ids = await Promise.all(
    communities.map(async (c, i) => {
      const body = { planId: 'community-drill', severity: 'IV', area: { communityIds: [c.id] }, title: `tracing-cost ${i}`, drill: true };
      return (await api<{ incidentId: string }>('POST', '/v1/incidents', 'operator', body)).incidentId;
    }),
  );
  for (const id of ids) {
    for (;;) {
      const view = await api<IncidentView>('GET', `/v1/incidents/${id}`, 'auditor');
      if (view.phase === 'closed') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  // The batch span processors export every 5 s: let the last batch out before reading the counters.
  await new Promise((r) => setTimeout(r, 6000));
  const perProcess = Object.fromEntries(processes.map((p) => [p.name, +(cpuSeconds(p.pid) - before.get(p.name)!).toFixed(2)]));
  const total = +Object.values(perProcess).reduce((a, b) => a + b, 0).toFixed(2);
  const report = { tracing, drills, wallSeconds: Math.round((Date.now() - started) / 1000), cpuSeconds: total, perProcess, load1: { before: load, after: loadavg()[0]!.toFixed(2) } };
  if (values.json) console.log(JSON.stringify(report));
  else console.log(`tracing ${tracing ? 'on' : 'off'}: ${drills} drills, ${report.wallSeconds} s, ${total} CPU-s (load ${load} → ${report.load1.after})\n${JSON.stringify(perProcess)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
