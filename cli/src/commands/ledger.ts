import type { Command } from 'commander';
import { z } from 'zod';
import { incentives, LifelineError, Slug, type Endpoint, type RequestOf, type ResultOf } from '@lifeline/contracts';
import { call, connectNats } from '@lifeline/platform';
import { adminNatsSettings } from '@lifeline/local-stack';
import { fail, parseFlags } from '../context';

/** One request to the incentives service over NATS (the CLI's admin user), failing with the service's structured error. */
async function ask<E extends Endpoint>(ep: E, request: RequestOf<E>): Promise<ResultOf<E>> {
  const nc = await connectNats(adminNatsSettings(), 'lifeline-ledger');
  try {
    return await call(nc, ep, request, { timeoutMs: 120_000 });
  } catch (err) {
    if (err instanceof LifelineError) fail(err.code, err.message, err.details);
    throw err;
  } finally {
    await nc.close();
  }
}

const VerifyFlags = z.object({ participant: Slug.optional() });
const StatementFlags = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const FlagsFlags = z.object({ incident: Slug.optional(), participant: Slug.optional() }).refine((f) => f.incident || f.participant, { message: 'name --incident or --participant', path: ['incident'] });

export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('The incentives points ledger: verify its hash chains, statements, fraud flags');
  ledger
    .command('verify')
    .description('Recompute every participant’s hash chain (or one) and name each entry edited or removed in the store; exits 1 when any is broken')
    .option('--participant <id>', 'verify one participant only')
    .action(async (opts: unknown) => {
      const f = parseFlags(VerifyFlags, opts);
      const result = await ask(incentives.verify, f.participant ? { participantId: f.participant } : {});
      console.log(JSON.stringify(result, null, 2));
      if (!result.ok) {
        for (const b of result.broken) process.stderr.write(`broken: participant ${b.participantId} seq ${b.seq} entry ${b.entryId ?? '(missing)'}: ${b.reason}\n`);
        process.exitCode = 1;
      }
    });
  ledger
    .command('statement <participantId>')
    .description('A participant’s balance, totals awarded and redeemed, allowances and newest entries')
    .option('--limit <n>', 'newest entries to show', '100')
    .action(async (participantId: string, opts: unknown) => {
      const id = parseFlags(Slug, participantId);
      const { limit } = parseFlags(StatementFlags, opts);
      console.log(JSON.stringify(await ask(incentives.statement, { participantId: id, limit }), null, 2));
    });
  ledger
    .command('flags')
    .description('Fraud checks raised for an incident or a participant')
    .option('--incident <id>', 'incident id')
    .option('--participant <id>', 'participant id')
    .action(async (opts: unknown) => {
      const f = parseFlags(FlagsFlags, opts);
      console.log(JSON.stringify(await ask(incentives.flags, { ...(f.incident ? { incidentId: f.incident } : {}), ...(f.participant ? { participantId: f.participant } : {}) }), null, 2));
    });
}
