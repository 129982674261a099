import { z } from 'zod';
import { BaseEnv } from '@lifeline/platform';

/** Settings of the worker and the bridge: NATS (BaseEnv) plus where Temporal is. */
export const WorkerEnv = BaseEnv.extend({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /**
   * Activities one worker runs at once. Each is one request to a service; a city-wide fan-out would otherwise send
   * hundreds at a time and time out against a slow store (measured with scripts/drill-cost.ts on FerretDB).
   */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(20),
  /**
   * Requests the worker keeps in flight to any one service; the others wait in order inside their activity. Above
   * what the service's store can serve within the request timeout, requests time out, are retried while the service
   * still works on them, and the retries pile on (measured on FerretDB with scripts/drill-cost.ts, before supplies
   * committed in groups). Since the community commands are local activities, a command waiting its turn here also
   * holds its run's workflow task: at 4, a 200-community mobilize scheduled its last first command 50 s after the runs
   * started. Supplies served 200 requests in flight with p99 1.6 s (20 s timeout) and more throughput the more it
   * was given (61/s at 20 clients, 201/s at 200). Notification and personnel were not measured at this bound.
   * 0 = no limit.
   */
  WORKER_MAX_IN_FLIGHT_PER_SERVICE: z.coerce.number().int().min(0).max(1000).default(16),
  /** How long one request to a service may take once sent (ms); below the activities' start-to-close timeout. */
  WORKER_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(50_000).default(20_000),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;
