import { z } from 'zod';
import { ServiceEnv } from '@lifeline/platform';

export const NotificationEnv = ServiceEnv.extend({
  /** `broadcast` answers within this long; a larger audience goes on being cut in the background (see the job). */
  BROADCAST_REPLY_WITHIN_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Audience pages (work items of up to 1,000 residents) one process sends at the same time. */
  BROADCAST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  /** Seconds JetStream waits for an ack before redelivering a page (the sender heartbeats while working). */
  BROADCAST_ACK_WAIT_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
  /** Simulated gateway: share of recipients whose send fails (0…1). */
  NOTIFY_SIM_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Simulated gateway: milliseconds each send call takes. */
  NOTIFY_SIM_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Channel rate limits, transmissions per second per process (an SMS provider's bulk rate, a push service's…). */
  RATE_SMS: z.coerce.number().positive().default(20_000),
  RATE_APP_PUSH: z.coerce.number().positive().default(50_000),
  /** Loudspeaker zones (buildings) per second. */
  RATE_LOUDSPEAKER: z.coerce.number().positive().default(20),
  /** Grid group chats relayed through grid workers per second. */
  RATE_GROUP_CHAT: z.coerce.number().positive().default(5),
  /** Door-knock tasks created per second. */
  RATE_DOOR_KNOCK: z.coerce.number().positive().default(10),
});
export type NotificationEnv = z.infer<typeof NotificationEnv>;

/** The channel settings a process uses, from its configuration. */
export const channelSettings = (config: NotificationEnv) => ({
  rates: { sms: config.RATE_SMS, 'app-push': config.RATE_APP_PUSH, loudspeaker: config.RATE_LOUDSPEAKER, 'group-chat': config.RATE_GROUP_CHAT, 'door-knock': config.RATE_DOOR_KNOCK },
  simulator: { failureRate: config.NOTIFY_SIM_FAILURE_RATE, delayMs: config.NOTIFY_SIM_DELAY_MS },
});
