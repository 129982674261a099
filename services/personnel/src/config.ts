import { z } from 'zod';
import { loadConfig } from '@lifeline/platform';

/** Personnel settings beyond the platform's ServiceEnv: how quickly simulated drill responders react. */
export const PersonnelEnv = z.object({
  /** Delay before a simulated drill responder acknowledges an assigned task. */
  DRILL_ACK_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(500),
  /** Delay between a simulated responder's acknowledgement and its completion report. */
  DRILL_COMPLETE_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
});
export type PersonnelConfig = z.infer<typeof PersonnelEnv>;

export const loadPersonnelConfig = (env: NodeJS.ProcessEnv = process.env): PersonnelConfig => loadConfig(PersonnelEnv, env);
