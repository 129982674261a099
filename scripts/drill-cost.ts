/**
 * What a city-wide drill costs Temporal, measured (not estimated): seeds a synthetic city into the running stack,
 * runs a plan as a city-wide drill through the command-center, waits for it to close, then reads every execution
 * of the incident from Temporal's visibility API and counts its history.
 *
 *   node --import tsx scripts/drill-cost.ts --communities 250 --residents 1000 [--plan community-drill]
 *        [--severity IV] [--seed 7] [--no-seed] [--timeout-minutes 30] [--json]
 *
 * Uses the local stack of LIFELINE_DATA_DIR / the *_PORT variables (like the `lifeline` command).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Severity, Slug, type IncidentView, type PlanDocument } from '@lifeline/contracts';
import { stackConfig } from '@lifeline/local-stack';
import { measureIncidentCost } from '@lifeline/workflows';
import { api, apiBase, bearer, fail } from '@lifeline/cli';
import { buildCity, connectAdmin, drillCity, sendCityInSlices } from '@lifeline/testkit';

/** A whole number flag within bounds, or a structured error naming the flag. */
function intFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) fail('invalid_request', 'invalid flags', [{ flag: `--${name}`, message: `a whole number from ${min} to ${max}` }]);
  return value;
}

/** A flag checked with a contract schema, or a structured error naming the flag. */
function schemaFlag<T>(name: string, raw: string | undefined, fallback: T, schema: { safeParse: (v: unknown) => { success: boolean; data?: unknown } }): T {
  if (raw === undefined) return fallback;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) fail('invalid_request', 'invalid flags', [{ flag: `--${name}`, message: `not a valid ${name}` }]);
  return parsed.data as T;
}

/** The incident's view, or undefined while the command-center cannot answer (a busy worker misses a query). */
async function currentView(incidentId: string): Promise<IncidentView | undefined> {
  try {
    const res = await fetch(`${apiBase()}/v1/incidents/${incidentId}`, { headers: { authorization: `Bearer ${bearer('auditor')}` } });
    return res.ok ? ((await res.json()) as IncidentView) : undefined;
  } catch {
    return undefined;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      communities: { type: 'string' },
      residents: { type: 'string' },
      plan: { type: 'string' },
      severity: { type: 'string' },
      seed: { type: 'string' },
      'no-seed': { type: 'boolean' },
      incident: { type: 'string' },
      'timeout-minutes': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const communities = intFlag('communities', values.communities, 250, 1, 20000);
  const flags = {
    communities,
    residents: intFlag('residents', values.residents, communities * 4, 0, 5_000_000),
    plan: schemaFlag<string>('plan', values.plan, 'community-drill', Slug),
    severity: schemaFlag<Severity>('severity', values.severity, 'IV', Severity),
    seed: intFlag('seed', values.seed, 7, 0, 2 ** 31),
    noSeed: values['no-seed'] ?? false,
    timeoutMinutes: intFlag('timeout-minutes', values['timeout-minutes'], 30, 1, 600),
    json: values.json ?? false,
  };
  const residents = flags.residents;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  if (!flags.noSeed) {
    const { plan } = await api<{ plan: PlanDocument }>('GET', `/v1/plans/${flags.plan}`, 'auditor');
    const city = drillCity(buildCity({ communities: flags.communities, residents, seed: flags.seed, today: new Date().toISOString().slice(0, 10) }), plan);
    const nc = await connectAdmin('drill-cost');
    const t0 = Date.now();
    const counts = await sendCityInSlices(nc, city, 10);
    await nc.close();
    log(`seeded ${flags.communities} communities, ${counts.people} responders, ${counts.residents} residents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  const started = Date.now();
  // --incident <id>: measure an incident already running (or closed) instead of starting one.
  const incidentId =
    schemaFlag<string | undefined>('incident', values.incident, undefined, Slug) ??
    (
      await api<{ incidentId: string }>('POST', '/v1/incidents', 'operator', {
        planId: flags.plan,
        severity: flags.severity,
        area: { cityWide: true },
        title: `drill-cost: city-wide ${flags.plan} drill`,
        drill: true,
      })
    ).incidentId;
  log(`incident ${incidentId} (${flags.plan}, severity ${flags.severity}, city-wide drill)`);
  let view: IncidentView | undefined;
  let lastPhase = '';
  const deadline = started + flags.timeoutMinutes * 60_000;
  while (Date.now() < deadline) {
    view = (await currentView(incidentId)) ?? view;
    if (view && view.phase !== lastPhase) log(`  ${((Date.now() - started) / 1000).toFixed(0)} s: ${view.phase} (${view.areas.length} communities)`);
    lastPhase = view?.phase ?? '';
    if (view?.phase === 'closed') break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  if (view?.phase !== 'closed') throw new Error(`incident ${incidentId} did not close within ${flags.timeoutMinutes} min (phase ${view?.phase})`);
  let wallSeconds = (Date.now() - started) / 1000;

  const connection = await Connection.connect({ address: `127.0.0.1:${stackConfig().ports.temporal}` });
  const client = new Client({ connection });
  const cost = await measureIncidentCost(client, incidentId);
  // An incident measured after the fact (--incident): its own start-to-close time from Temporal.
  if (values.incident) {
    const described = await client.workflow.getHandle(`incident-${incidentId}`).describe();
    if (described.closeTime) wallSeconds = (described.closeTime.getTime() - described.startTime.getTime()) / 1000;
  }
  await connection.close();
  const [load1, load5, load15] = loadavg().map((l) => l.toFixed(2));

  const totals = view.review?.totals;
  const report = {
    plan: flags.plan,
    severity: view.severity,
    status: view.status,
    communities: view.areas.length,
    districts: new Set(view.areas.map((a) => a.districtId)).size,
    wallSeconds: Math.round(wallSeconds),
    loadAverage: { load1, load5, load15, cpus: cpus().length },
    residentsReached: totals?.notification.sent,
    tasksDone: totals?.personnel.done,
    ...cost,
  };
  if (flags.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`city-wide ${report.plan} drill ${incidentId}: ${report.status} in ${report.wallSeconds} s over ${report.communities} communities in ${report.districts} districts`);
  console.log(`  residents reached ${report.residentsReached}, tasks done ${report.tasksDone}; load average now ${load1} ${load5} ${load15} on ${cpus().length} CPUs`);
  console.log(`  workflow executions ${cost.executions}  activities ${cost.activities}  history events ${cost.historyEvents}  child workflows ${cost.childWorkflows}  timers ${cost.timers}  continued-as-new ${cost.continuedAsNew}`);
  console.log('  by workflow type           executions  activities     events  max events/run  max children/run');
  for (const [type, t] of Object.entries(cost.byType)) {
    console.log(`  ${type.padEnd(26)} ${String(t.executions).padStart(10)} ${String(t.activities).padStart(11)} ${String(t.events).padStart(10)} ${String(t.maxEvents).padStart(15)} ${String(t.maxChildren).padStart(17)}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
