import { z } from 'zod';
import { ServiceEnv } from '@lifeline/platform';

export const SuppliesEnv = ServiceEnv.extend({
  /** How many times a lot commit is decided again when another process committed first (its conditional update missed). */
  SUPPLIES_LOT_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(200),
  /** Writes this process keeps in flight against the store at once (`src/model/writeLane.ts`). */
  SUPPLIES_STORE_WRITERS: z.coerce.number().int().min(1).max(100).default(2),
  /** Days between depot inspections when a depot names no interval of its own. */
  SUPPLIES_INSPECTION_INTERVAL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
});
export type SuppliesConfig = z.infer<typeof SuppliesEnv>;
