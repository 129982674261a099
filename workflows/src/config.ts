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
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;
