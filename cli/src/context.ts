import type { z } from 'zod';
import { issuesToDetails, type ErrorCode } from '@lifeline/contracts';
import { existingSecrets, stackConfig } from '@lifeline/local-stack';

/** Print a structured error (`{ error: { code, message, details } }`) and exit non-zero. */
export function fail(code: ErrorCode, message: string, details?: unknown): never {
  process.stderr.write(JSON.stringify({ error: { code, message, ...(details === undefined ? {} : { details }) } }, null, 2) + '\n');
  process.exit(2);
}

/** Validate CLI flags with a zod schema; bad flags get a structured error and nothing runs. */
export function parseFlags<S extends z.ZodType>(schema: S, opts: unknown): z.infer<S> {
  const parsed = schema.safeParse(opts);
  if (!parsed.success) fail('invalid_request', 'invalid flags', issuesToDetails(parsed.error).map((d) => ({ flag: `--${d.path}`, message: d.message })));
  return parsed.data;
}

/** The JWT signing secret: env first, else the local stack's. */
export function tokenSecret(): string {
  const secret = process.env.LIFELINE_TOKEN_SECRET ?? existingSecrets()?.tokenSecret;
  if (!secret) fail('unavailable', 'no token secret: set LIFELINE_TOKEN_SECRET or start the local stack once (lifeline up)');
  return secret;
}

/** Base URL of the command-center. */
export function apiBase(): string {
  return process.env.LIFELINE_HTTP_URL ?? `http://127.0.0.1:${stackConfig().ports.http}`;
}
