import { randomUUID } from 'node:crypto';
import { LifelineError, type Area, type personnelContract } from '@lifeline/contracts';
import type { Model } from 'mongoose';
import { isDuplicateKey, type PiiVault } from '@lifeline/platform';
import { resolveArea, type AreaUnit } from './domain/area';
import { qualifiedFor, rankCandidates, type CandidatePerson, type TaskNeed } from './domain/candidates';
import type { CommunityShape } from './domain/readiness';
import { claimIdOf, type ClaimDoc } from './model/claim';
import type { OrgUnitDoc } from './model/org-unit';
import type { PartyUnitDoc } from './model/party-unit';
import type { PersonDoc } from './model/person';
import type { TeamDoc } from './model/team';

type SeedRequest = { units: personnelContract.OrgUnit[]; people: personnelContract.PersonRecord[]; partyUnits?: personnelContract.PartyUnit[] | undefined; teams?: personnelContract.Team[] | undefined };
type SeedResult = { units: number; people: number; partyUnits?: number; teams?: number };
const BATCH = 1000;

/** A person claimed for a task by one attempt (`by`), before the change naming them is written. */
export interface Reservation {
  personId: string;
  incidentId: string;
  taskId: string;
  by: string;
}

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
    private readonly partyUnits: Model<PartyUnitDoc>,
    private readonly teams: Model<TeamDoc>,
    private readonly poolTtlMs = 5_000,
  ) {}

  private readonly pools = new Map<string, { at: number; load: Promise<CandidatePerson[]> }>();
  /** Communities known to exist (units are only ever added or changed by a seed, never removed). */
  private readonly communities = new Set<string>();

  /** Idempotent upsert by id; names and phones are sealed before they reach the store. */
  async seed(request: SeedRequest): Promise<SeedResult> {
    this.pools.clear();
    this.communities.clear();
    for (const batch of batches(request.units)) {
      await this.units.bulkWrite(
        batch.map((u) => ({
          updateOne: {
            filter: { _id: u.id },
            update: { $set: { level: u.level, parentId: u.parentId, name: u.name, population: u.population ?? 0, households: u.households } },
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
                buildingId: p.buildingId,
                partyUnitId: p.partyUnitId,
                profession: p.profession,
                workUnit: p.workUnit,
                qualifications: p.qualifications,
                teamIds: p.teamIds,
                drillBehaviour: p.drillBehaviour,
              },
            },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    }
    const result: SeedResult = { units: request.units.length, people: request.people.length };
    if (request.partyUnits) result.partyUnits = await this.upsertById(this.partyUnits, request.partyUnits);
    if (request.teams) result.teams = await this.upsertById(this.teams, request.teams);
    return result;
  }

  private async upsertById<D extends { _id: string }>(model: Model<D>, rows: readonly ({ id: string } & Record<string, unknown>)[]): Promise<number> {
    for (const batch of batches(rows)) {
      await model.bulkWrite(
        batch.map(({ id, ...rest }) => ({ updateOne: { filter: { _id: id }, update: { $set: rest }, upsert: true } })) as never,
        { ordered: false },
      );
    }
    return rows.length;
  }

  async resolveArea(area: Area): Promise<personnelContract.ResolvedArea> {
    const docs = await this.units.find({ level: { $in: ['district', 'sub-district', 'community'] } }, { _id: 1, level: 1, parentId: 1, population: 1 }).lean();
    const units: AreaUnit[] = docs.map((u) => ({ id: u._id, level: u.level, parentId: u.parentId ?? undefined, population: u.population ?? 0 }));
    const outcome = resolveArea(area, units);
    if (!outcome.ok) throw new LifelineError('not_found', 'the area names unknown communities or districts', { communityIds: outcome.unknownCommunityIds, districtIds: outcome.unknownDistrictIds });
    return outcome.resolved;
  }

  /**
   * Whether the id names a community. A yes is kept for the process's life (cleared by a seed here), since every
   * first dispatch asks and a community does not stop being one; a seed on another replica that turned a
   * community into another level is not seen here, which at worst dispatches among that id's people.
   */
  async communityExists(communityId: string): Promise<boolean> {
    if (this.communities.has(communityId)) return true;
    const exists = (await this.units.findById(communityId, { level: 1 }).lean())?.level === 'community';
    if (exists) this.communities.add(communityId);
    return exists;
  }

  /** Claim the first free candidate for a task: a unique insert, so two tasks never take the same person. */
  async claimNextCandidate(need: TaskNeed): Promise<Reservation | undefined> {
    const docs = await this.pool(need.communityId, need.role);
    const held = await this.claims.find({ _id: { $in: docs.map((p) => claimIdOf(need.incidentId, p.id)) } }, { personId: 1, taskId: 1 }).lean();
    const candidates = rankCandidates(docs, need, held);
    const by = randomUUID();
    for (const candidate of candidates) {
      const reservation = { personId: candidate.id, incidentId: need.incidentId, taskId: need.taskId, by };
      if (await this.claim(reservation)) return reservation;
    }
    return undefined;
  }

  /**
   * The available people of a role in a community (no personal fields), shared by concurrent dispatches and kept
   * for `poolTtlMs` (before the store read it from its `{communityId, type}` index it scanned every person, which
   * dominated dispatch time under load). A person made unavailable by a seed elsewhere may still be picked for that
   * long; the claim keeps one owner regardless.
   */
  private pool(communityId: string, role: string): Promise<CandidatePerson[]> {
    const key = `${communityId}/${role}`;
    const hit = this.pools.get(key);
    if (hit && Date.now() - hit.at < this.poolTtlMs) return hit.load;
    const load = this.people
      .find({ communityId, type: role, available: true }, { _id: 1, type: 1, communityId: 1, gridId: 1, skills: 1, qualifications: 1, available: 1 })
      .lean()
      .then((docs) => docs.map((p) => ({ ...p, id: p._id })));
    this.pools.set(key, { at: Date.now(), load });
    load.catch(() => this.pools.delete(key));
    return load;
  }

  /** A unique insert; a claim this task already holds (a retried or concurrent change of it) is taken over. */
  private async claim(r: Reservation): Promise<boolean> {
    const _id = claimIdOf(r.incidentId, r.personId);
    try {
      await this.claims.create({ _id, ...r });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // (no projection: FerretDB 1.24 does not implement `fields` on findAndModify)
      return (await this.claims.findOneAndUpdate({ _id, taskId: r.taskId }, { $set: { by: r.by } }).lean()) !== null;
    }
  }

  /** Undo a reservation whose change another writer beat, unless another attempt has taken the claim over since. */
  async dropReservation(r: Reservation): Promise<void> {
    await this.claims.deleteOne({ _id: claimIdOf(r.incidentId, r.personId), taskId: r.taskId, by: r.by });
  }

  /** Release the claims these people hold on a task (every claim of the task when none are named). */
  async releaseClaims(taskId: string, personIds?: readonly string[]): Promise<void> {
    const filter: Record<string, unknown> = { taskId };
    if (personIds !== undefined) filter.personId = { $in: personIds };
    await this.claims.deleteMany(filter);
  }

  /** How a simulated drill responder behaves for this person (`acknowledge` unless the roster says otherwise). */
  async drillBehaviourOf(personId: string): Promise<personnelContract.DrillBehaviour> {
    const person = await this.people.findById(personId, { drillBehaviour: 1 }).lean();
    return person?.drillBehaviour ?? 'acknowledge';
  }

  async unknownCommunities(ids: readonly string[]): Promise<string[]> {
    const found = new Set((await this.units.find({ _id: { $in: [...ids] }, level: 'community' }, { _id: 1 }).lean()).map((u) => u._id));
    return ids.filter((id) => !found.has(id));
  }

  /** Available volunteers of these communities qualified for the skill (ids, sorted). */
  async volunteersFor(communityIds: readonly string[], skill: string | undefined, today: string): Promise<string[]> {
    const docs = await this.people.find({ communityId: { $in: [...communityIds] }, type: 'volunteer', available: true }, { _id: 1, skills: 1, qualifications: 1 }).lean();
    return docs.filter((p) => qualifiedFor(p, skill, today)).map((p) => p._id).sort();
  }

  /** What the readiness analysis needs about each community: grids, people (no personal fields), Party units. */
  async communityShapes(communityIds: readonly string[]): Promise<CommunityShape[]> {
    const ids = [...communityIds];
    const [communities, grids, people, partyUnits] = await Promise.all([
      this.units.find({ _id: { $in: ids } }, { _id: 1, population: 1, households: 1 }).lean(),
      this.units.find({ level: 'grid', parentId: { $in: ids } }, { _id: 1, parentId: 1, population: 1, households: 1 }).lean(),
      this.people.find({ communityId: { $in: ids } }, { _id: 1, type: 1, communityId: 1, gridId: 1, partyUnitId: 1, available: 1, skills: 1, qualifications: 1 }).lean(),
      this.partyUnits.find({ communityId: { $in: ids } }, { _id: 1, level: 1, communityId: 1, gridId: 1, parentId: 1 }).lean(),
    ]);
    return communities.map((c) => ({
      communityId: c._id,
      population: c.population ?? 0,
      households: c.households ?? undefined,
      grids: grids.filter((g) => g.parentId === c._id).map((g) => ({ id: g._id, population: g.population ?? 0, households: g.households ?? undefined })),
      people: people
        .filter((p) => p.communityId === c._id)
        .map((p) => ({ id: p._id, type: p.type, gridId: p.gridId ?? undefined, partyUnitId: p.partyUnitId ?? undefined, available: p.available, skills: p.skills ?? [], qualifications: p.qualifications ?? [] })),
      partyUnits: partyUnits.filter((u) => u.communityId === c._id).map((u) => ({ id: u._id, level: u.level, gridId: u.gridId ?? undefined, parentId: u.parentId ?? undefined })),
    }));
  }

  /** The owner's phone, opened only to hand it to the notification service. */
  async phoneOf(personId: string): Promise<string | undefined> {
    const person = await this.people.findById(personId, { phone: 1 }).lean();
    return person ? this.vault.open(person.phone) : undefined;
  }
}
