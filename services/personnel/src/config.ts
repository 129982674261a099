import { z } from 'zod';
import { ServiceEnv } from '@lifeline/platform';

const skillList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/)));

/** Personnel settings: the platform's ServiceEnv and the service's own. */
export const PersonnelEnv = ServiceEnv.extend({
  /** Delay before a simulated drill responder acknowledges an assigned task. */
  DRILL_ACK_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(500),
  /** Delay between a simulated responder's acknowledgement and its completion report. */
  DRILL_COMPLETE_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
  /** How often the deadline sweeper looks for tasks past their acknowledgement deadline. */
  ACK_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(1000),
  /** How often the sweeper carries out changes a crash interrupted (and what the previous version left). */
  RECOVERY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** How long a community's candidate pool (people of a role, no personal fields) is reused between dispatches. */
  CANDIDATE_POOL_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** Readiness defaults (a request may override each). */
  READINESS_MAX_HOUSEHOLDS_PER_GRID_WORKER: z.coerce.number().int().min(1).default(300),
  READINESS_MAX_PEOPLE_PER_GRID_WORKER: z.coerce.number().int().min(1).default(1000),
  READINESS_MAX_MEMBERS_PER_PARTY_GROUP: z.coerce.number().int().min(1).default(15),
  READINESS_REQUIRED_SKILLS: skillList.default(['first-aid']),
});
export type PersonnelConfig = z.infer<typeof PersonnelEnv>;
