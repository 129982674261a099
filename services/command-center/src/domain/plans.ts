import fs from 'node:fs';
import path from 'node:path';
import { LifelineError, issuesToDetails, PlanDocument } from '@lifeline/contracts';
import { planProblems, type PlanProblem } from '@lifeline/contracts/plan-rules';

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

/**
 * Validate a plan document: its shape (PlanDocument), then its meaning (planProblems: names that exist, steps that
 * refer to earlier steps, phases that can do what they say) and, for a new version, that it stays the same kind of
 * plan as `previous`. Every error names its path; nothing is half-accepted.
 */
export function validatePlan(input: unknown, where: string, previous?: PlanDocument): PlanDocument {
  const parsed = PlanDocument.safeParse(input);
  if (!parsed.success) throw new LifelineError('invalid_request', `invalid plan (${where})`, issuesToDetails(parsed.error));
  const problems = [...(previous ? sameKind(previous, parsed.data) : []), ...planProblems(parsed.data)];
  if (problems.length) throw new LifelineError('invalid_request', `invalid plan (${where}): ${problems.length} mistake(s)`, problems);
  return parsed.data;
}

/** A version keeps the kind and hazard of its plan: another kind of plan is another plan, with its own id. */
function sameKind(previous: PlanDocument, next: PlanDocument): PlanProblem[] {
  return (['kind', 'hazard'] as const)
    .filter((field) => previous[field] !== next[field])
    .map((field) => ({ path: field, message: `version ${previous.version} of ${previous.id} is ${field} "${previous[field]}"; a new version keeps it (publish a new plan for another ${field})`, allowed: [previous[field]] }));
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
