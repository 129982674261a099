import type { Command } from 'commander';
import { z } from 'zod';
import { IncidentCommand, Role, Severity, Slug, type IncidentView } from '@lifeline/contracts';
import { api } from '../api';
import { parseFlags } from '../context';

const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const StartFlags = z
  .object({
    plan: Slug,
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

const summary = (v: IncidentView) =>
  `${v.incidentId}  phase=${v.phase}  status=${v.status}  severity=${v.severity}  areas=${v.areas.length}  ` +
  `reached=${v.areas.reduce((n, a) => n + a.figures.notification.sent, 0)}  tasks done=${v.areas.reduce((n, a) => n + a.figures.personnel.done, 0)}`;

/** Poll until the incident closes, printing each change of phase. */
async function follow(incidentId: string, role: Role): Promise<IncidentView> {
  let last = '';
  for (;;) {
    const view = await api<IncidentView>('GET', `/v1/incidents/${incidentId}`, role);
    const line = summary(view);
    if (line !== last) console.error(line);
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
    .requiredOption('--severity <level>', 'I, II, III or IV')
    .requiredOption('--title <text>', 'incident title')
    .option('--communities <ids>', 'comma-separated community ids')
    .option('--districts <ids>', 'comma-separated district ids')
    .option('--city-wide', 'the whole city')
    .option('--drill', 'drill mode: no real messages, simulated responders')
    .option('--key <key>', 'Idempotency-Key: repeating a start with the same key returns the same incident')
    .option('--wait', 'follow the incident until it closes')
    .option('--as <role>', 'role of the development token', 'operator')
    .action(async (opts: unknown) => {
      const f = parseFlags(StartFlags, opts);
      const area = { ...(f.communities ? { communityIds: f.communities } : {}), ...(f.districts ? { districtIds: f.districts } : {}), ...(f.cityWide ? { cityWide: true } : {}) };
      const started = await api<{ incidentId: string; workflowId: string }>('POST', '/v1/incidents', f.as, { planId: f.plan, severity: f.severity, area, title: f.title, drill: f.drill ?? false }, f.key ? { 'idempotency-key': f.key } : {});
      console.log(JSON.stringify(started));
      if (f.wait) console.log(JSON.stringify(await follow(started.incidentId, f.as), null, 2));
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
      const command = parseFlags(IncidentCommand, { type: f.type, reason: f.reason, ...(f.severity ? { severity: f.severity } : {}) });
      const role = f.as ?? (f.type === 'advance' ? 'operator' : 'commander');
      console.log(JSON.stringify(await api('POST', `/v1/incidents/${encodeURIComponent(id)}/commands`, role, command), null, 2));
    });
}
