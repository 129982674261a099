import type { Model } from 'mongoose';
import { LifelineError, Slug, type PlanDocument, type Caller } from '@lifeline/contracts';
import type { PlanDiff, PlanVersionStatus } from '@lifeline/contracts/http/command-center';
import { isDuplicateKey } from '@lifeline/platform';
import { diffPlans } from './domain/plan-diff';
import { approvalRefusal, authorOf, retireRefusal, statusOf, versionToRun } from './domain/plan-lifecycle';
import { loadLibrary, nextVersion } from './domain/plans';
import type { StoredPlan } from './model/plan';

/** A version's lifecycle as the API shows it. */
export interface VersionInfo {
  version: number;
  status: PlanVersionStatus;
  author: string;
  createdBy: string;
  createdAt: Date;
  approvedBy?: string;
  approvedAt?: Date;
  retiredBy?: string;
  retiredAt?: Date;
  retireReason?: string;
}

const LIFECYCLE = { _id: 0, planId: 1, version: 1, createdBy: 1, createdAt: 1, status: 1, author: 1, approvedBy: 1, approvedAt: 1, retiredBy: 1, retiredAt: 1, retireReason: 1 } as const;
type LifecycleRow = Omit<StoredPlan, 'document'>;

function infoOf(row: LifecycleRow): VersionInfo {
  const { planId: _planId, status: _status, author: _author, ...rest } = row;
  return { ...rest, status: statusOf(row), author: authorOf(row) };
}

/**
 * The plan registry: immutable versions, each a draft until approved; running incidents keep the version they started
 * with. The bundled library's versions are installed approved.
 */
export class Plans {
  constructor(private readonly plans: Model<StoredPlan>) {}

  /** Install every bundled plan version that is not stored yet (idempotent). */
  async installLibrary(): Promise<number> {
    let installed = 0;
    for (const document of loadLibrary()) {
      const now = new Date();
      try {
        await this.plans.create({ planId: document.id, version: document.version, document, createdBy: 'library', createdAt: now, status: 'approved', author: 'library', approvedBy: 'library', approvedAt: now });
        installed++;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    return installed;
  }

  /** The latest version, whatever its status (what a reviewer reads; not what incidents run: see `toRun`). */
  async latest(planId: string): Promise<PlanDocument> {
    const found = await this.plans.findOne({ planId }).sort({ version: -1 }).lean();
    if (!found) throw new LifelineError('not_found', `no plan ${planId}`);
    return found.document;
  }

  async version(planId: string, version: number): Promise<PlanDocument> {
    const found = await this.plans.findOne({ planId, version }).lean();
    if (!found) throw new LifelineError('not_found', `no plan ${planId} version ${version}`);
    return found.document;
  }

  /** The version a new incident starts on (see versionToRun: the latest approved, or one named; drafts only in drills). */
  async toRun(planId: string, request: { planVersion?: number | undefined; drill?: boolean | undefined }): Promise<PlanDocument> {
    const rows = await this.lifecycle(planId);
    if (rows.length === 0) throw new LifelineError('not_found', `no plan ${planId}`);
    return this.version(planId, versionToRun(planId, rows, request));
  }

  async versions(planId: string): Promise<VersionInfo[]> {
    return (await this.lifecycle(planId)).map(infoOf);
  }

  async list(): Promise<(Pick<PlanDocument, 'id' | 'version' | 'title' | 'kind' | 'hazard'> & { status: PlanVersionStatus; approvedVersion: number | null })[]> {
    const all = await this.plans.find().sort({ planId: 1, version: -1 }).lean();
    const byPlan = new Map<string, StoredPlan[]>();
    for (const p of all) byPlan.set(p.planId, [...(byPlan.get(p.planId) ?? []), p]);
    return [...byPlan.values()].map(([latest, ...older]) => {
      const { id, version, title, kind, hazard } = latest!.document;
      const approved = [latest!, ...older].find((p) => statusOf(p) === 'approved');
      return { id, version, status: statusOf(latest!), approvedVersion: approved?.version ?? null, title, kind, hazard };
    });
  }

  /** Publish a new plan as version 1, a draft; an existing plan id is a conflict (post a new version of it instead). */
  async create(posted: Record<string, unknown>, createdBy: string): Promise<PlanDocument> {
    const parsedId = Slug.safeParse(posted.id);
    if (!parsedId.success) throw new LifelineError('invalid_request', 'invalid plan', [{ path: 'plan.id', message: 'a new plan needs an id: lowercase letters, digits and dashes' }]);
    const document = nextVersion(parsedId.data, undefined, posted);
    try {
      await this.plans.create(this.draft(document, createdBy));
    } catch (err) {
      if (isDuplicateKey(err)) throw new LifelineError('conflict', `plan ${document.id} exists; publish a new version with POST /v1/plans/${document.id}/versions`);
      throw err;
    }
    return document;
  }

  /** Store a new version as a draft; two concurrent revisions cannot both become version N (unique index). */
  async addVersion(planId: string, posted: unknown, createdBy: string): Promise<PlanDocument> {
    const current = await this.latest(planId);
    const document = nextVersion(planId, current, posted);
    try {
      await this.plans.create(this.draft(document, createdBy));
    } catch (err) {
      if (isDuplicateKey(err)) throw new LifelineError('conflict', `version ${document.version} of ${planId} was just created by someone else; retry`);
      throw err;
    }
    return document;
  }

  /** Approve a draft: by a commander other than its author, or an admin; one conditional update, so two approvals cannot both win. */
  async approve(planId: string, version: number, by: Caller): Promise<VersionInfo> {
    const row = await this.row(planId, version);
    const refused = approvalRefusal(row, by);
    if (refused) throw refused;
    const draft = row.status === undefined ? { status: { $exists: false } } : { status: 'draft' };
    const { modifiedCount } = await this.plans.updateOne({ planId, version, ...draft }, { $set: { status: 'approved', approvedBy: by.sub, approvedAt: new Date(), author: authorOf(row) } });
    const now = await this.row(planId, version);
    if (!modifiedCount) throw approvalRefusal(now, by) ?? new LifelineError('conflict', `${planId} v${version} changed while it was approved; retry`);
    return infoOf(now);
  }

  /** Retire a draft or an approved version: it never starts again; incidents running it keep it. */
  async retire(planId: string, version: number, by: Caller, reason: string): Promise<VersionInfo> {
    const row = await this.row(planId, version);
    const refused = retireRefusal(row);
    if (refused) throw refused;
    const { modifiedCount } = await this.plans.updateOne(
      { planId, version, status: { $ne: 'retired' } },
      { $set: { status: 'retired', retiredBy: by.sub, retiredAt: new Date(), retireReason: reason, author: authorOf(row) } },
    );
    const now = await this.row(planId, version);
    if (!modifiedCount) throw retireRefusal(now) ?? new LifelineError('conflict', `${planId} v${version} changed while it was retired; retry`);
    return infoOf(now);
  }

  async diff(planId: string, from: number, to: number): Promise<PlanDiff> {
    return diffPlans(await this.version(planId, from), await this.version(planId, to));
  }

  private draft(document: PlanDocument, createdBy: string): StoredPlan {
    const row = { planId: document.id, version: document.version, createdBy };
    return { ...row, document, createdAt: new Date(), status: 'draft', author: authorOf(row) };
  }

  private async lifecycle(planId: string): Promise<LifecycleRow[]> {
    return this.plans.find({ planId }, LIFECYCLE).sort({ version: 1 }).lean();
  }

  private async row(planId: string, version: number): Promise<LifecycleRow> {
    const found = await this.plans.findOne({ planId, version }, LIFECYCLE).lean();
    if (!found) throw new LifelineError('not_found', `no plan ${planId} version ${version}`);
    return found;
  }
}
