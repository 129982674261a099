import { LifelineError, type Area, type personnelContract } from '@lifeline/contracts';
import type { Model } from 'mongoose';
import { isDuplicateKey, type PiiVault } from '@lifeline/platform';
import { resolveArea, type AreaUnit } from './domain/area';
import { rankCandidates, type TaskNeed } from './domain/candidates';
import { claimIdOf, type ClaimDoc } from './model/claim';
import type { OrgUnitDoc } from './model/org-unit';
import type { PersonDoc } from './model/person';

type SeedRequest = { units: personnelContract.OrgUnit[]; people: personnelContract.PersonRecord[] };
const BATCH = 1000;

function batches<T>(items: readonly T[]): T[][] {
  return Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));
}

/** The roster: org units and people, their seeding, area expansion and the atomic claim on a person per incident. */
export class Roster {
  constructor(
    private readonly units: Model<OrgUnitDoc>,
    private readonly people: Model<PersonDoc>,
    private readonly claims: Model<ClaimDoc>,
    private readonly vault: PiiVault,
  ) {}

  /** Idempotent upsert by id; names and phones are sealed before they reach the store. */
  async seed(request: SeedRequest): Promise<{ units: number; people: number }> {
    for (const batch of batches(request.units)) {
      await this.units.bulkWrite(
        batch.map((u) => ({
          updateOne: {
            filter: { _id: u.id },
            update: { $set: { level: u.level, parentId: u.parentId, name: u.name, population: u.population ?? 0 } },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    }
    for (const batch of batches(request.people)) {
      await this.people.bulkWrite(
        batch.map((p) => ({
          updateOne: {
            filter: { _id: p.id },
            update: {
              $set: {
                type: p.type,
                communityId: p.communityId,
                gridId: p.gridId,
                skills: p.skills ?? [],
                available: p.available ?? true,
                name: this.vault.seal(p.name),
                phone: this.vault.seal(p.phone),
              },
            },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    }
    return { units: request.units.length, people: request.people.length };
  }

  async resolveArea(area: Area): Promise<personnelContract.ResolvedArea> {
    const docs = await this.units.find({ level: { $in: ['district', 'sub-district', 'community'] } }, { _id: 1, level: 1, parentId: 1, population: 1 }).lean();
    const units: AreaUnit[] = docs.map((u) => ({ id: u._id, level: u.level, parentId: u.parentId ?? undefined, population: u.population ?? 0 }));
    const outcome = resolveArea(area, units);
    if (!outcome.ok) throw new LifelineError('not_found', 'the area names unknown communities or districts', { communityIds: outcome.unknownCommunityIds, districtIds: outcome.unknownDistrictIds });
    return outcome.resolved;
  }

  async communityExists(communityId: string): Promise<boolean> {
    return (await this.units.exists({ _id: communityId, level: 'community' })) !== null;
  }

  /** Claim the first free candidate for a task: a unique insert, so two tasks never take the same person. */
  async claimNextCandidate(need: TaskNeed): Promise<string | undefined> {
    const filter: Record<string, unknown> = { communityId: need.communityId, type: need.role, available: true };
    if (need.skill !== undefined) filter.skills = need.skill;
    const docs = await this.people.find(filter, { _id: 1, type: 1, communityId: 1, skills: 1, available: 1 }).lean();
    const held = await this.claims.find({ _id: { $in: docs.map((p) => claimIdOf(need.incidentId, p._id)) } }, { personId: 1, taskId: 1 }).lean();
    const candidates = rankCandidates(
      docs.map((p) => ({ ...p, id: p._id })),
      need,
      held,
    );
    for (const candidate of candidates) {
      if (await this.claim(need, candidate.id)) return candidate.id;
    }
    return undefined;
  }

  private async claim(need: TaskNeed, personId: string): Promise<boolean> {
    const _id = claimIdOf(need.incidentId, personId);
    try {
      await this.claims.create({ _id, incidentId: need.incidentId, personId, taskId: need.taskId });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return (await this.claims.findById(_id, { taskId: 1 }).lean())?.taskId === need.taskId;
    }
  }

  /** Release every claim on a task except the current owner's (all of them once the task is closed). */
  async releaseClaims(taskId: string, keepOwnerId?: string): Promise<void> {
    const filter: Record<string, unknown> = { taskId };
    if (keepOwnerId !== undefined) filter.personId = { $ne: keepOwnerId };
    await this.claims.deleteMany(filter);
  }

  /** The owner's phone, opened only to hand it to the notification service. */
  async phoneOf(personId: string): Promise<string | undefined> {
    const person = await this.people.findById(personId, { phone: 1 }).lean();
    return person ? this.vault.open(person.phone) : undefined;
  }
}
