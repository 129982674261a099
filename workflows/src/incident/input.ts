import type { IncidentInput } from '@lifeline/contracts';

/**
 * Parse what the command-center handed the incident with the full contract (the plan document's schema and all it
 * names). Loaded here, on the first call, rather than imported: Temporal evaluates the bundle's modules once per
 * workflow run, and a static import would make every district and community run build every schema of the
 * contracts (about 30 ms each; `@lifeline/contracts/inbound` is what they need). Only incident runs call this.
 */
export function parseIncidentInput(raw: unknown) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load webpack keeps inside the bundle
  const contracts = require('@lifeline/contracts') as { IncidentInput: typeof IncidentInput };
  return contracts.IncidentInput.safeParse(raw);
}
