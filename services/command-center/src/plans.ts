import type { Model } from 'mongoose';
import { LifelineError, Slug, type PlanDocument } from '@lifeline/contracts';
import { isDuplicateKey } from '@lifeline/platform';
import { loadLibrary, nextVersion } from './domain/plans';
import type { StoredPlan } from './model/plan';

/** The plan registry: immutable versions; running incidents keep the version they started with. */
export class Plans {
  constructor(private readonly plans: Model<StoredPlan>) {}

  /** Install every bundled plan version that is not stored yet (idempotent). */
  async installLibrary(): Promise<number> {
    let installed = 0;
    for (const document of loadLibrary()) {
      try {
        await this.plans.create({ planId: document.id, version: document.version, document, createdBy: 'library', createdAt: new Date() });
        installed++;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    return installed;
  }

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

  async versions(planId: string): Promise<{ version: number; createdBy: string; createdAt: Date }[]> {
    return this.plans.find({ planId }, { _id: 0, version: 1, createdBy: 1, createdAt: 1 }).sort({ version: 1 }).lean();
  }

  async list(): Promise<Pick<PlanDocument, 'id' | 'version' | 'title' | 'kind' | 'hazard'>[]> {
    const all = await this.plans.find().sort({ planId: 1, version: -1 }).lean();
    const latest = new Map<string, PlanDocument>();
    for (const p of all) if (!latest.has(p.planId)) latest.set(p.planId, p.document);
    return [...latest.values()].map(({ id, version, title, kind, hazard }) => ({ id, version, title, kind, hazard }));
  }

  /** Publish a new plan as version 1; an existing plan id is a conflict (post a new version of it instead). */
  async create(posted: Record<string, unknown>, createdBy: string): Promise<PlanDocument> {
    const parsedId = Slug.safeParse(posted.id);
    if (!parsedId.success) throw new LifelineError('invalid_request', 'invalid plan', [{ path: 'plan.id', message: 'a new plan needs an id: lowercase letters, digits and dashes' }]);
    const document = nextVersion(parsedId.data, undefined, posted);
    try {
      await this.plans.create({ planId: document.id, version: 1, document, createdBy, createdAt: new Date() });
    } catch (err) {
      if (isDuplicateKey(err)) throw new LifelineError('conflict', `plan ${document.id} exists; publish a new version with POST /v1/plans/${document.id}/versions`);
      throw err;
    }
    return document;
  }

  /** Store a new version; two concurrent revisions cannot both become version N (unique index). */
  async addVersion(planId: string, posted: unknown, createdBy: string): Promise<PlanDocument> {
    const current = await this.latest(planId);
    const document = nextVersion(planId, current, posted);
    try {
      await this.plans.create({ planId, version: document.version, document, createdBy, createdAt: new Date() });
    } catch (err) {
      if (isDuplicateKey(err)) throw new LifelineError('conflict', `version ${document.version} of ${planId} was just created by someone else; retry`);
      throw err;
    }
    return document;
  }
}
