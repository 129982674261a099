import { LifelineError, type Caller } from '@lifeline/contracts';
import type { PlanVersionStatus } from '@lifeline/contracts/http/command-center';
import type { StoredPlan } from '../model/plan';

/**
 * The version lifecycle as decisions, without I/O: draft → approved (by a commander other than the author, or an
 * admin) → retired; a draft may also be retired. New incidents run the latest approved version; a drill may name a
 * draft to rehearse it before approval; a real incident never runs a draft, and nothing starts on a retired version.
 */

export type Lifecycle = Pick<StoredPlan, 'planId' | 'version' | 'createdBy' | 'status' | 'author'>;

/** Versions stored before the lifecycle have no status: the bundled library's count as approved, any other as a draft. */
export const statusOf = (v: Lifecycle): PlanVersionStatus => v.status ?? (v.createdBy === 'library' ? 'approved' : 'draft');
/** The author: stored, or before the lifecycle the createdBy without a review marker (`"<author> [review …]"`). */
export const authorOf = (v: Lifecycle): string => v.author ?? v.createdBy.replace(/ \[review .*\]$/, '');

/** Why `by` may not approve `v`, or undefined when the approval may go ahead. */
export function approvalRefusal(v: Lifecycle, by: Pick<Caller, 'sub' | 'roles'>): LifelineError | undefined {
  const status = statusOf(v);
  if (status !== 'draft') return new LifelineError('invalid_state', `${v.planId} v${v.version} is ${status}; only a draft is approved`, { status });
  if (authorOf(v) === by.sub && !by.roles.includes('admin')) {
    return new LifelineError('forbidden', `${by.sub} wrote ${v.planId} v${v.version}; another commander (or an admin) must approve it`, { author: authorOf(v) });
  }
  return undefined;
}

/** Why `v` may not be retired, or undefined. */
export function retireRefusal(v: Lifecycle): LifelineError | undefined {
  return statusOf(v) === 'retired' ? new LifelineError('invalid_state', `${v.planId} v${v.version} is already retired`, { status: 'retired' }) : undefined;
}

/** The version an incident starts on: the one named (a draft only for a drill, never a retired one), else the latest approved. */
export function versionToRun(planId: string, versions: Lifecycle[], request: { planVersion?: number | undefined; drill?: boolean | undefined }): number {
  const approved = versions.filter((v) => statusOf(v) === 'approved').map((v) => v.version);
  if (request.planVersion === undefined) {
    if (approved.length) return Math.max(...approved);
    const drafts = versions.filter((v) => statusOf(v) === 'draft').map((v) => v.version);
    throw new LifelineError('invalid_state', `${planId} has no approved version yet${drafts.length ? ` (draft: v${drafts.join(', v')}; a commander other than the author approves it)` : ''}`, { drafts });
  }
  const named = versions.find((v) => v.version === request.planVersion);
  if (!named) throw new LifelineError('not_found', `no plan ${planId} version ${request.planVersion}`);
  const status = statusOf(named);
  if (status === 'retired') throw new LifelineError('invalid_state', `${planId} v${named.version} is retired`, { status, approved });
  if (status === 'draft' && !request.drill) {
    throw new LifelineError('invalid_state', `${planId} v${named.version} is a draft: only a drill may run it before it is approved`, { status, approved });
  }
  return named.version;
}
