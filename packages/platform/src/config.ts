import { z } from 'zod';
import { issuesToDetails, LifelineError } from '@lifeline/contracts';

/** Settings every Lifeline process reads; each process extends this with its own. */
export const BaseEnv = z.object({
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /**
   * The stack is a test or drill sandbox (the local stack sets it): endpoints the contract marks `sandboxOnly` (the
   * simulated gateway's controls) are served. Absent on a production-shaped stack (compose, Helm), so nothing there
   * answers them.
   */
  LIFELINE_SANDBOX: z.stringbool().default(false),
});

export const ServiceEnv = BaseEnv.extend({
  MONGO_URL: z.string().default('mongodb://127.0.0.1:27017'),
  LIFELINE_PII_KEY: z.string().regex(/^[0-9a-f]{64}$/, '32 bytes as 64 hex characters'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Interface the admin/health HTTP server binds (0.0.0.0 in containers so probes reach it). */
  HTTP_HOST: z.string().default('127.0.0.1'),
});
export type ServiceEnv = z.infer<typeof ServiceEnv>;

/** The one config loader: parse the environment with a zod schema, defaults in the schema, clear error on bad input. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new LifelineError('invalid_request', 'invalid configuration', issuesToDetails(parsed.error));
  return parsed.data;
}
