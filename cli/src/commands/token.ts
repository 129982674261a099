import type { Command } from 'commander';
import { z } from 'zod';
import { Role } from '@lifeline/contracts';
import { signToken } from '../auth';
import { parseFlags, tokenSecret } from '../context';

const TokenFlags = z.object({
  role: Role,
  subject: z.string().min(1).max(100),
  ttl: z.coerce.number().int().min(60).max(30 * 24 * 3600),
});

export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description('Print a development bearer token for the command-center')
    .requiredOption('--role <role>', `one of ${Role.options.join(', ')}`)
    .option('--subject <name>', 'who the token speaks for (audit log)', 'dev-operator')
    .option('--ttl <seconds>', 'lifetime in seconds', String(12 * 3600))
    .action((opts: unknown) => {
      const flags = parseFlags(TokenFlags, opts);
      console.log(signToken(tokenSecret(), flags.subject, flags.role, flags.ttl));
    });
}
