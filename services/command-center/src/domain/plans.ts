import fs from 'node:fs';
import path from 'node:path';
import { LifelineError, issuesToDetails, PlanDocument } from '@lifeline/contracts';

/** The plan library that ships with the product (services/command-center/plans/*.json). */
export const LIBRARY_DIR = path.resolve(__dirname, '..', '..', 'plans');

/** Read and validate every bundled plan; a bad file stops start-up with the offending path. */
export function loadLibrary(dir = LIBRARY_DIR): PlanDocument[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => validatePlan(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), file));
}

/** Validate a plan document; errors point at the offending path. */
export function validatePlan(input: unknown, where: string): PlanDocument {
  const parsed = PlanDocument.safeParse(input);
  if (!parsed.success) throw new LifelineError('invalid_request', `invalid plan (${where})`, issuesToDetails(parsed.error));
  return parsed.data;
}

/** A posted revision becomes the next version of the plan it names; the id in the URL wins over a mismatch. */
export function nextVersion(planId: string, latestVersion: number, posted: unknown): PlanDocument {
  if (typeof posted !== 'object' || posted === null) throw new LifelineError('invalid_request', 'plan must be an object');
  const claimed = posted as { id?: unknown };
  if (claimed.id !== undefined && claimed.id !== planId) throw new LifelineError('invalid_request', `plan id "${String(claimed.id)}" does not match "${planId}"`);
  return validatePlan({ ...posted, id: planId, version: latestVersion + 1 }, `${planId} v${latestVersion + 1}`);
}
