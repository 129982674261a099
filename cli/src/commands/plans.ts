import fs from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { Role, Slug } from '@lifeline/contracts';
import { api } from '../api';
import { fail, parseFlags } from '../context';

const ReadFlags = z.object({ as: Role.default('auditor'), version: z.coerce.number().int().positive().optional() });
const WriteFlags = z.object({ file: z.string().min(1), as: Role.default('commander') });

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

type PlanLine = { id: string; version: number; kind: string; hazard: string; title: { zh: string; en: string } };

export function registerPlanCommands(program: Command): void {
  const plans = program.command('plans').description('The plan registry: list, show, publish plans and new versions');
  plans
    .command('list')
    .description('The latest version of every plan')
    .option('--as <role>', 'role of the development token', 'auditor')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { as: string; json?: boolean }) => {
      const f = parseFlags(ReadFlags, { as: opts.as });
      const answer = await api<{ plans: PlanLine[] }>('GET', '/v1/plans', f.as);
      if (opts.json) return console.log(JSON.stringify(answer, null, 2));
      for (const p of answer.plans) console.log(`${p.id.padEnd(24)} v${String(p.version).padEnd(4)} ${p.kind.padEnd(18)} ${p.title.zh} / ${p.title.en}`);
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
    .description('Publish the plan in --file as the next version of <planId> (running incidents keep their version)')
    .requiredOption('--file <path>', 'a JSON plan document (id optional, version ignored)')
    .option('--as <role>', 'role of the development token (publishing needs commander)', 'commander')
    .action(async (id: string, opts: unknown) => {
      const planId = parseFlags(Slug, id);
      const f = parseFlags(WriteFlags, opts);
      console.log(JSON.stringify(await api('POST', `/v1/plans/${planId}/versions`, f.as, { plan: readPlanFile(f.file) }), null, 2));
    });
  plans
    .command('create')
    .description('Publish a new plan (version 1) from --file')
    .requiredOption('--file <path>', 'a JSON plan document with a new id')
    .option('--as <role>', 'role of the development token (publishing needs commander)', 'commander')
    .action(async (opts: unknown) => {
      const f = parseFlags(WriteFlags, opts);
      console.log(JSON.stringify(await api('POST', '/v1/plans', f.as, { plan: readPlanFile(f.file) }), null, 2));
    });
}
