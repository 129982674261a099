import type { Command } from 'commander';
import { z } from 'zod';
import { AuditVerifyQuery, type AuditVerifyAnswer } from '@lifeline/contracts/http/command-center';
import { api } from '../api';
import { parseFlags } from '../context';

const VerifyFlags = z.strictObject({ head: AuditVerifyQuery.shape.head });

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The command-center audit log');
  audit
    .command('verify')
    .description('Walk the audit hash chain (as admin, through the command-center) and name the first entry edited, deleted or inserted; exits 1 when the chain is broken')
    .option('--head <seq:hash>', 'a head printed by an earlier verify: the chain must still hold it (catches removal of the newest entries)')
    .action(async (opts: unknown) => {
      const { head } = parseFlags(VerifyFlags, opts);
      const answer = await api<AuditVerifyAnswer>('GET', `/v1/audit/verify${head ? `?head=${encodeURIComponent(head)}` : ''}`, 'admin');
      console.log(JSON.stringify(answer, null, 2));
      if (answer.broken) {
        const b = answer.broken;
        process.stderr.write(`broken: ${b.kind} entry seq ${b.seq ?? '(none)'} id ${b.id ?? '(unknown)'}: ${b.reason}\n`);
        process.exitCode = 1;
      }
    });
}
