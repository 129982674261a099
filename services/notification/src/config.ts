import { z } from 'zod';
import { loadConfig, ServiceEnv } from '@lifeline/platform';

export const NotificationEnv = ServiceEnv.extend({
  /** Residents per JetStream work item; the contract caps a batch at 1000. */
  BROADCAST_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  /** Batches one process sends at the same time. */
  BROADCAST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Seconds JetStream waits for an ack before redelivering a batch (the sender heartbeats while working). */
  BROADCAST_ACK_WAIT_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
  /** Simulated gateway: share of recipients whose send fails (0…1). */
  NOTIFY_SIM_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Simulated gateway: milliseconds each send call takes. */
  NOTIFY_SIM_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
});
export type NotificationEnv = z.infer<typeof NotificationEnv>;

export const loadNotificationConfig = (env: NodeJS.ProcessEnv = process.env): NotificationEnv => loadConfig(NotificationEnv, env);
