import { Command } from 'commander';
import { registerAuditCommands } from './commands/audit';
import { registerIncidentCommands } from './commands/incident';
import { registerLedgerCommands } from './commands/ledger';
import { registerPlanCommands } from './commands/plans';
import { registerSeedCommand } from './commands/seed';
import { registerStackCommands } from './commands/stack';
import { registerTokenCommand } from './commands/token';

const program = new Command('lifeline').description('Lifeline: community emergency plans as durable programs').showHelpAfterError();
registerStackCommands(program);
registerSeedCommand(program);
registerTokenCommand(program);
registerIncidentCommands(program);
registerPlanCommands(program);
registerLedgerCommands(program);
registerAuditCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string; details?: unknown };
  process.stderr.write(JSON.stringify({ error: { code: e.code ?? 'internal', message: e.message ?? String(err), details: e.details } }, null, 2) + '\n');
  process.exit(1);
});
