import { z } from 'zod';
import { ServiceEnv } from '@lifeline/platform';

export const IncentivesEnv = ServiceEnv.extend({
  /** Which rule table computes new awards; entries keep the version they were computed with. */
  INCENTIVES_RULES_VERSION: z.enum(['v1', 'v2']).default('v2'),
});
export type IncentivesEnv = z.infer<typeof IncentivesEnv>;
