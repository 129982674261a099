import type { Command } from 'commander';
import { z } from 'zod';
import { IncidentCommandRequest, IncidentPhase, IncidentStatus, PHASES, Role, Severity, Slug, type IncidentView } from '@lifeline/contracts';
import { api } from '../api';
import { parseFlags } from '../context';

const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const StartFlags = z
  .object({
    plan: Slug,
    planVersion: z.coerce.number().int().positive().optional(),
    severity: Severity,
    title: z.string().min(1).max(200),
    communities: list.pipe(z.array(Slug).min(1)).optional(),
    districts: list.pipe(z.array(Slug).min(1)).optional(),
    cityWide: z.boolean().optional(),
    drill: z.boolean().optional(),
    key: z.string().min(8).max(200).optional(),
    wait: z.boolean().optional(),
    as: Role.default('operator'),
  })
  .refine((f) => f.communities || f.districts || f.cityWide, { message: 'name --communities, --districts or --city-wide', path: ['communities'] });

const CommandFlags = z.object({ type: z.enum(['advance', 'stand-down', 'escalate', 'deescalate']), reason: z.string().min(1), severity: Severity.optional(), as: Role.optional() });

const ListFlags = z
  .object({
    phase: IncidentPhase.optional(),
    severity: Severity.optional(),
    district: Slug.optional(),
    drill: z.boolean().optional(),
    real: z.boolean().optional(),
    status: IncidentStatus.optional(),
    plan: Slug.optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    as: Role.default('auditor'),
    json: z.boolean().optional(),
  })
  .refine((f) => !(f.drill && f.real), { message: '--drill and --real exclude each other', path: ['drill'] });

const sum = (v: IncidentView, pick: (f: IncidentView['areas'][number]['figures']) => number) => v.areas.reduce((n, a) => n + pick(a.figures), 0);

/** `warn ▸ [mobilize] ▸ respond …` with the figures operators watch. */
export function progressLine(v: IncidentView): string {
  const at = v.phase === 'closed' ? PHASES.length : PHASES.indexOf(v.phase);
  const bar = PHASES.map((p, i) => (i < at ? `✔${p}` : i === at ? `[${p}]` : p)).join(' ▸ ');
  return (
    `${bar}  ${v.phase === 'closed' ? `closed (${v.status})` : v.status}  severity ${v.severity}  areas ${v.areas.length}  ` +
    `reached ${sum(v, (f) => f.notification.sent)}/${sum(v, (f) => f.notification.total)}  ` +
    `supplies ${sum(v, (f) => f.supplies.reserved)} reserved ${sum(v, (f) => f.supplies.issued)} issued  ` +
    `responders ${sum(v, (f) => f.personnel.acknowledged)}/${sum(v, (f) => f.personnel.tasks)} acknowledged`
  );
}

/** Poll until the incident closes, printing a progress line whenever something changes (to stderr). */
async function follow(incidentId: string, role: Role): Promise<IncidentView> {
  let last = '';
  const started = Date.now();
  for (;;) {
    const view = await api<IncidentView>('GET', `/v1/incidents/${incidentId}`, role);
    const line = progressLine(view);
    if (line !== last) console.error(`${String(Math.round((Date.now() - started) / 1000)).padStart(5)} s  ${line}`);
    last = line;
    if (view.phase === 'closed' || view.status !== 'running') return view;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function registerIncidentCommands(program: Command): void {
  const incident = program.command('incident').description('Start, show and command incidents through the command-center');
  incident
    .command('start')
    .description('Activate a plan for an area and a severity')
    .requiredOption('--plan <id>', 'plan id, e.g. community-drill')
    .option('--plan-version <n>', 'a specific version (default: the latest approved; a draft only with --drill)')
    .requiredOption('--severity <level>', 'I, II, III or IV')
    .requiredOption('--title <text>', 'incident title')
    .option('--communities <ids>', 'comma-separated community ids')
    .option('--districts <ids>', 'comma-separated district ids')
    .option('--city-wide', 'the whole city')
    .option('--drill', 'drill mode: no real messages, simulated responders')
    .option('--key <key>', 'Idempotency-Key: repeating a start with the same key returns the same incident')
    .option('--wait', 'follow the incident until it closes, printing progress (phase, residents reached, supplies, responders)')
    .option('--as <role>', 'role of the development token', 'operator')
    .action(async (opts: unknown) => {
      const f = parseFlags(StartFlags, opts);
      const area = { ...(f.communities ? { communityIds: f.communities } : {}), ...(f.districts ? { districtIds: f.districts } : {}), ...(f.cityWide ? { cityWide: true } : {}) };
      const started = await api<{ incidentId: string; workflowId: string }>('POST', '/v1/incidents', f.as, { planId: f.plan, ...(f.planVersion ? { planVersion: f.planVersion } : {}), severity: f.severity, area, title: f.title, drill: f.drill ?? false }, f.key ? { 'idempotency-key': f.key } : {});
      console.log(JSON.stringify(started));
      if (f.wait) console.log(JSON.stringify(await follow(started.incidentId, f.as), null, 2));
    });
  incident
    .command('list')
    .description('Incidents, newest first, with filters')
    .option('--phase <phase>', 'warn | mobilize | respond | recover | review | closed')
    .option('--severity <level>', 'I, II, III or IV')
    .option('--district <id>', 'a district the incident covers')
    .option('--drill', 'drills only')
    .option('--real', 'real incidents only')
    .option('--status <status>', 'running | completed | cancelled | failed')
    .option('--plan <id>', 'plan id')
    .option('--limit <n>', 'at most this many (default 50)')
    .option('--as <role>', 'role of the development token', 'auditor')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: unknown) => {
      const f = parseFlags(ListFlags, opts);
      const query = new URLSearchParams();
      for (const key of ['phase', 'severity', 'district', 'status', 'plan', 'limit'] as const) if (f[key] !== undefined) query.set(key, String(f[key]));
      if (f.drill || f.real) query.set('drill', String(Boolean(f.drill)));
      const answer = await api<{ incidents: { incidentId: string; phase: string; status: string; severity: string; drill: boolean; planId: string; title: string; createdAt: string }[] }>('GET', `/v1/incidents?${query}`, f.as);
      if (f.json) return console.log(JSON.stringify(answer, null, 2));
      for (const i of answer.incidents) {
        console.log(`${i.incidentId}  ${i.createdAt.slice(0, 19)}  ${i.phase.padEnd(8)} ${i.status.padEnd(9)} ${i.severity.padEnd(3)} ${i.drill ? 'drill' : 'real '}  ${i.planId}  ${i.title}`);
      }
      if (answer.incidents.length === 0) console.error('no incident matches');
    });
  incident
    .command('show <incidentId>')
    .description('Phase, status and per-area progress')
    .option('--as <role>', 'role of the development token', 'auditor')
    .action(async (id: string, opts: { as: string }) => {
      const role = parseFlags(Role, opts.as);
      console.log(JSON.stringify(await api<IncidentView>('GET', `/v1/incidents/${encodeURIComponent(id)}`, role), null, 2));
    });
  incident
    .command('command <incidentId>')
    .description('Send an operator command: advance, stand-down, escalate, deescalate')
    .requiredOption('--type <type>', 'advance | stand-down | escalate | deescalate')
    .requiredOption('--reason <text>', 'why (kept in the audit log and the incident timeline)')
    .option('--severity <level>', 'target severity for escalate/deescalate')
    .option('--as <role>', 'role of the development token (stand-down and escalation need commander)')
    .action(async (id: string, opts: unknown) => {
      const f = parseFlags(CommandFlags, opts);
      const command = parseFlags(IncidentCommandRequest, { type: f.type, reason: f.reason, ...(f.severity ? { severity: f.severity } : {}) });
      const role = f.as ?? (f.type === 'advance' ? 'operator' : 'commander');
      console.log(JSON.stringify(await api('POST', `/v1/incidents/${encodeURIComponent(id)}/commands`, role, command), null, 2));
    });
}
