import { IncidentStart } from '@lifeline/contracts/inbound';
import type { IncidentInput } from '@lifeline/contracts';

/**
 * Check what the command-center handed the incident: the envelope and the plan's skeleton (`IncidentStart`, on
 * `zod/mini`). The command-center built the input with the full contract (`IncidentInput`, the plan checked when
 * its version was posted), so the plan's fields pass through as it wrote them and the run does not build the
 * classic plan schemas (about 0.5 s of module evaluation per incident run on a busy worker; see `IncidentStart`).
 */
export function parseIncidentInput(raw: unknown) {
  const parsed = IncidentStart.safeParse(raw);
  return parsed.success ? { success: true as const, data: parsed.data as IncidentInput } : { success: false as const, error: parsed.error };
}
