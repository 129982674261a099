import { z } from 'zod';
import { BaseEnv, IdentityEnv, identityRules, ServiceEnv } from '@lifeline/platform';

export const CommandCenterEnv = BaseEnv.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HTTP_HOST: z.string().default('127.0.0.1'),
  MONGO_URL: z.string().default('mongodb://127.0.0.1:27017'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Where the console links an incident's workflow; defaults to the local UI on TEMPORAL_UI_PORT. */
  TEMPORAL_UI_URL: z.string().url().optional(),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  /**
   * Jaeger's query service (e.g. `http://127.0.0.1:16686`), where this stack's processes send their spans: the console
   * then links each incident's trace. Unset: no trace links.
   */
  TRACES_URL: z.string().url().optional(),
  /** Development tokens and the OIDC issuer (@lifeline/platform identity; README, "Identity"). */
  ...IdentityEnv.shape,
  /** Seals the audit log's subjects and details, and keys the rate limit's counters (32 bytes as hex). */
  LIFELINE_PII_KEY: ServiceEnv.shape.LIFELINE_PII_KEY,
  /** Mutating requests (starts, commands, plan versions) one token subject may make per minute, across all replicas. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /** How long the shared count of a change may take before the request is counted in this process's memory instead. */
  RATE_LIMIT_STORE_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(500),
  /** How often the live stream (server-sent events) re-reads an incident's status. */
  LIVE_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
}).superRefine(identityRules);
export type CommandCenterConfig = z.infer<typeof CommandCenterEnv>;

/** The Temporal UI base URL: configured, else the local one. */
export const temporalUiUrl = (config: CommandCenterConfig) => config.TEMPORAL_UI_URL ?? `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
