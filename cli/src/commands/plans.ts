import fs from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { Area, Role, Severity, Slug } from '@lifeline/contracts';
import type { PlanDiff, PlanVersionAnswer } from '@lifeline/contracts/http/command-center';
import type { PlanPreview } from '@lifeline/contracts/http/plan-preview';
import { checkPlan } from '@lifeline/contracts/plan-rules';
import { api } from '../api';
import { fail, parseFlags } from '../context';

const ReadFlags = z.object({ as: Role.default('auditor'), version: z.coerce.number().int().positive().optional() });
const WriteFlags = z.object({ file: z.string().min(1), as: Role.default('commander') });
const Version = z.coerce.number().int().positive();
const ApproveFlags = z.object({ as: Role.default('commander'), note: z.string().min(1).max(500).optional() });
const RetireFlags = z.object({ as: Role.default('commander'), reason: z.string().min(1).max(500) });
const DiffFlags = z.object({ as: Role.default('auditor'), json: z.boolean().optional() });
const PreviewFlags = z.object({ as: Role.default('operator'), severity: Severity, area: z.string().min(1), version: z.coerce.number().int().positive().optional(), json: z.boolean().optional() });

/** `--area`: `communities=c1,c2`, `districts=d1,d2`, `city-wide`, or the JSON area an incident start takes. */
function parseArea(text: string): Area {
  const [kind, ids = ''] = text.split('=', 2) as [string, string?];
  const list = ids.split(',').map((x) => x.trim()).filter(Boolean);
  const raw: unknown = text.trim().startsWith('{') ? (() => { try { return JSON.parse(text) as unknown; } catch { return fail('invalid_request', '--area is not valid JSON'); } })()
    : kind === 'city-wide' ? { cityWide: true } : kind === 'communities' ? { communityIds: list } : kind === 'districts' ? { districtIds: list } : fail('invalid_request', '--area: communities=<ids>, districts=<ids>, city-wide or a JSON area');
  return parseFlags(Area, raw);
}

/** The preview as a few lines an operator reads before running the plan. */
function previewText(p: PlanPreview): string {
  const lines = [
    `${p.planId} v${p.planVersion} at severity ${p.severity} (× ${p.scaling}): ${p.totals.communities} communities in ${p.totals.districts} district(s), population ${p.totals.population}, ${p.totals.residents} residents (${p.totals.vulnerable} vulnerable)`,
    `residents by group: ${p.residentsByGroup.map((g) => `${g.group} ${g.residents}`).join(', ') || 'no notify step'}`,
    ...p.notification.audiences.map((a) => `  notify ${a.stepId} (${a.phase}): ${a.recipients} recipients, ${Object.entries(a.messages).map(([c, n]) => `${c} ${n}`).join(', ')}, ~${a.predictedSeconds}s${a.refused.length ? `; refused in ${a.refused.length} communit${a.refused.length === 1 ? 'y' : 'ies'}: ${a.refused[0]!.message}` : ''}`),
    `messages: ${Object.entries(p.notification.messages).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}; ~${p.notification.predictedSeconds}s over every notify step`,
    ...p.supplies.byItem.map((i) => `  reserve ${i.stepId} ${i.itemCode}: ${i.requested} requested, ${i.reservable} reservable${i.shortfall ? `, short ${i.shortfall}` : ''}`),
    ...p.supplies.shortfalls.map((s) => `  short (live draw) ${s.communityId} ${s.itemCode}: ${s.missing}`),
    ...p.supplies.transfers.map((t) => `  cover: transfer ${t.quantity} ${t.itemCode} from ${t.fromDepotId} to ${t.communityId}${t.distanceKm === undefined ? '' : ` (${t.distanceKm} km)`}`),
    ...p.supplies.donations.map((d) => `  cover: ask ${d.enterpriseId} for ${d.quantity} ${d.itemCode} for ${d.communityId}`),
    ...p.supplies.uncovered.map((u) => `  uncovered ${u.communityId} ${u.itemCode}: ${u.missing}`),
    ...p.supplies.sites.map((x) => `  sites ${x.stepId} ${x.communityId}: ${x.capacity} of ${x.requested} places in ${x.sites.length} site(s)${x.shortfall ? `, short ${x.shortfall}` : ''}`),
    ...p.personnel.byRole.map((r) => `  people ${r.role}${r.skill ? `/${r.skill}` : ''}: ${r.needed} needed, ${r.available} available${r.short ? `, short ${r.short}` : ''}`),
    ...p.personnel.spansOfControl.map((f) => `  span ${f.communityId} ${f.code}: ${f.message}`),
  ];
  return lines.join('\n');
}

const versionLine = ({ planId, version: v }: z.infer<typeof PlanVersionAnswer>) =>
  `${planId} v${v.version}: ${v.status}${v.approvedBy ? ` (approved by ${v.approvedBy})` : ''}${v.retiredBy ? ` (retired by ${v.retiredBy}: ${v.retireReason ?? ''})` : ''}`;

/** A plan document from a JSON file; a missing or malformed file is a structured error before anything is sent. */
function readPlanFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return fail('invalid_request', `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('invalid_request', `${file} must hold a JSON object (a plan document)`);
    return parsed as Record<string, unknown>;
  } catch (err) {
    return fail('invalid_request', `${file} is not valid JSON: ${(err as Error).message}`);
  }
}

type PlanLine = { id: string; version: number; status: string; approvedVersion: number | null; kind: string; hazard: string; title: { zh: string; en: string } };

export function registerPlanCommands(program: Command): void {
  const plans = program.command('plans').alias('plan').description('The plan registry: list, show, validate, publish, approve, retire, diff and preview plan versions');
  plans
    .command('list')
    .description('The latest version of every plan')
    .option('--as <role>', 'role of the development token', 'auditor')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { as: string; json?: boolean }) => {
      const f = parseFlags(ReadFlags, { as: opts.as });
      const answer = await api<{ plans: PlanLine[] }>('GET', '/v1/plans', f.as);
      if (opts.json) return console.log(JSON.stringify(answer, null, 2));
      for (const p of answer.plans) {
        const runs = p.approvedVersion === null ? 'runs: none approved' : `runs v${p.approvedVersion}`;
        console.log(`${p.id.padEnd(24)} v${String(p.version).padEnd(4)} ${p.status.padEnd(9)} ${runs.padEnd(20)} ${p.kind.padEnd(18)} ${p.title.zh} / ${p.title.en}`);
      }
    });
  plans
    .command('show <planId>')
    .description('A plan (latest version, or --version N) and its version history, as JSON')
    .option('--version <n>', 'a specific version')
    .option('--as <role>', 'role of the development token', 'auditor')
    .action(async (id: string, opts: unknown) => {
      const planId = parseFlags(Slug, id);
      const f = parseFlags(ReadFlags, opts);
      console.log(JSON.stringify(await api('GET', `/v1/plans/${planId}${f.version ? `?version=${f.version}` : ''}`, f.as), null, 2));
    });
  plans
    .command('new-version <planId>')
    .description('Publish the plan in --file as the next version of <planId>, a draft until another commander approves it (running incidents keep their version)')
    .requiredOption('--file <path>', 'a JSON plan document (id optional, version ignored)')
    .option('--as <role>', 'role of the development token (publishing needs commander)', 'commander')
    .action(async (id: string, opts: unknown) => {
      const planId = parseFlags(Slug, id);
      const f = parseFlags(WriteFlags, opts);
      console.log(JSON.stringify(await api('POST', `/v1/plans/${planId}/versions`, f.as, { plan: readPlanFile(f.file) }), null, 2));
    });
  plans
    .command('create')
    .description('Publish a new plan (version 1, a draft until another commander approves it) from --file')
    .requiredOption('--file <path>', 'a JSON plan document with a new id')
    .option('--as <role>', 'role of the development token (publishing needs commander)', 'commander')
    .action(async (opts: unknown) => {
      const f = parseFlags(WriteFlags, opts);
      console.log(JSON.stringify(await api('POST', '/v1/plans', f.as, { plan: readPlanFile(f.file) }), null, 2));
    });
  plans
    .command('validate <file>')
    .description('Check a plan file as the command-center would (shape, catalogue names, step references, phase rules) without sending it')
    .action((file: string) => {
      const { plan, problems } = checkPlan(readPlanFile(file));
      if (!plan) return fail('invalid_request', `${file}: ${problems.length} mistake(s)`, problems);
      console.log(`${file}: ${plan.id} is valid (${Object.values(plan.phases).flat().length} steps)`);
    });
  plans
    .command('approve <planId> <version>')
    .description('Approve a draft version: new incidents then run it (a commander other than its author, or an admin)')
    .option('--note <text>', 'kept in the audit log')
    .option('--as <role>', 'role of the development token (approving needs commander)', 'commander')
    .action(async (id: string, version: string, opts: unknown) => {
      const [planId, v, f] = [parseFlags(Slug, id), parseFlags(Version, version), parseFlags(ApproveFlags, opts)];
      console.log(versionLine(await api('POST', `/v1/plans/${planId}/versions/${v}/approve`, f.as, f.note ? { note: f.note } : {})));
    });
  plans
    .command('retire <planId> <version>')
    .description('Retire a version: no incident starts on it again (running incidents keep it)')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .option('--as <role>', 'role of the development token (retiring needs commander)', 'commander')
    .action(async (id: string, version: string, opts: unknown) => {
      const [planId, v, f] = [parseFlags(Slug, id), parseFlags(Version, version), parseFlags(RetireFlags, opts)];
      console.log(versionLine(await api('POST', `/v1/plans/${planId}/versions/${v}/retire`, f.as, { reason: f.reason })));
    });
  plans
    .command('preview <planId>')
    .description('Dry run: what the plan would do for an area at a severity (residents, messages, supplies, people, sites), without side effects')
    .requiredOption('--severity <level>', 'I, II, III or IV')
    .requiredOption('--area <area>', 'communities=c1,c2 | districts=d1 | city-wide | a JSON area')
    .option('--version <n>', 'a specific version (default: the latest approved; a draft may be named)')
    .option('--json', 'print the whole preview as JSON')
    .option('--as <role>', 'role of the development token', 'operator')
    .action(async (id: string, opts: unknown) => {
      const [planId, f] = [parseFlags(Slug, id), parseFlags(PreviewFlags, opts)];
      const preview = await api<PlanPreview>('POST', `/v1/plans/${planId}/preview`, f.as, { severity: f.severity, area: parseArea(f.area), ...(f.version ? { version: f.version } : {}) });
      console.log(f.json ? JSON.stringify(preview, null, 2) : previewText(preview));
    });
  plans
    .command('diff <planId> <a> <b>')
    .description('What changed from version a to version b (steps matched by id)')
    .option('--json', 'print the structured changes instead of the text')
    .option('--as <role>', 'role of the development token', 'auditor')
    .action(async (id: string, a: string, b: string, opts: unknown) => {
      const [planId, from, to, f] = [parseFlags(Slug, id), parseFlags(Version, a), parseFlags(Version, b), parseFlags(DiffFlags, opts)];
      const diff = await api<PlanDiff>('GET', `/v1/plans/${planId}/versions/${from}/diff/${to}`, f.as);
      console.log(f.json ? JSON.stringify(diff, null, 2) : diff.text);
    });
}
