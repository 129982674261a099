import { z } from 'zod';
import { BaseEnv } from '@lifeline/platform';

/** Settings of the worker and the bridge: NATS (BaseEnv) plus where Temporal is. */
export const WorkerEnv = BaseEnv.extend({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;
