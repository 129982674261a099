import fs from 'node:fs';
import path from 'node:path';
import { LifelineError, type PlanDocument } from '@lifeline/contracts';
import { checkPlan } from '@lifeline/contracts/plan-rules';

/** The plan library that ships with the product (services/command-center/plans/*.json). */
export const LIBRARY_DIR = path.resolve(__dirname, '..', '..', 'plans');

/** Read and validate every bundled plan; a bad file stops start-up with every offending path. */
export function loadLibrary(dir = LIBRARY_DIR): PlanDocument[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => validatePlan(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), file));
}

/** Validate a plan document (checkPlan: shape, meaning, same kind as `previous`); every error names its path, nothing is half-accepted. */
export function validatePlan(input: unknown, where: string, previous?: PlanDocument): PlanDocument {
  const { plan, problems } = checkPlan(input, previous);
  if (!plan) throw new LifelineError('invalid_request', `invalid plan (${where}): ${problems.length} mistake(s)`, problems);
  return plan;
}

/**
 * A posted revision becomes the next version of the plan it names (after `previous`, or version 1 without one);
 * an id that does not match the URL is refused.
 */
export function nextVersion(planId: string, previous: PlanDocument | undefined, posted: unknown): PlanDocument {
  if (typeof posted !== 'object' || posted === null) throw new LifelineError('invalid_request', 'plan must be an object');
  const claimed = posted as { id?: unknown };
  if (claimed.id !== undefined && claimed.id !== planId) throw new LifelineError('invalid_request', `plan id "${String(claimed.id)}" does not match "${planId}"`);
  const version = (previous?.version ?? 0) + 1;
  return validatePlan({ ...posted, id: planId, version }, `${planId} v${version}`, previous);
}
