import type { personnel, personnelContract } from '@lifeline/contracts';
import type { Handlers, ServiceContext } from '@lifeline/platform';
import type { PersonnelConfig } from './config';
import { qualifiedFor } from './domain/candidates';
import { assessCommunity } from './domain/readiness';
import { claimModel } from './model/claim';
import { legacyModels } from './model/legacy';
import { orgUnitModel } from './model/org-unit';
import { partyUnitModel } from './model/party-unit';
import { personModel } from './model/person';
import { standDownModel } from './model/stand-down';
import { taskModel } from './model/task';
import { teamModel } from './model/team';
import { Roster } from './roster';
import { SurgeDesk } from './surge';
import { TaskDesk } from './tasks';

export interface Desks {
  roster: Roster;
  desk: TaskDesk;
  surge: SurgeDesk;
}

/** The roster, task desk and surge desk over this service's own database, shared by endpoints, background work and HTTP. */
export function openDesks(ctx: ServiceContext<PersonnelConfig>): Desks {
  const roster = new Roster(orgUnitModel(ctx.db), personModel(ctx.db), claimModel(ctx.db), ctx.vault, partyUnitModel(ctx.db), teamModel(ctx.db), ctx.config.CANDIDATE_POOL_TTL_MS);
  return { roster, desk: new TaskDesk(ctx, roster, taskModel(ctx.db), standDownModel(ctx.db), legacyModels(ctx.db)), surge: new SurgeDesk(ctx, roster) };
}

/** Readiness thresholds: the request's where given, else the service's configured defaults. */
export function thresholdsFrom(settings: PersonnelConfig, asked: personnelContract.ReadinessThresholds | undefined) {
  return {
    maxHouseholdsPerGridWorker: asked?.maxHouseholdsPerGridWorker ?? settings.READINESS_MAX_HOUSEHOLDS_PER_GRID_WORKER,
    maxPeoplePerGridWorker: asked?.maxPeoplePerGridWorker ?? settings.READINESS_MAX_PEOPLE_PER_GRID_WORKER,
    maxMembersPerPartyGroup: asked?.maxMembersPerPartyGroup ?? settings.READINESS_MAX_MEMBERS_PER_PARTY_GROUP,
    requiredSkills: asked?.requiredSkills ?? settings.READINESS_REQUIRED_SKILLS,
  };
}

/** One handler per `personnel` endpoint; requests arrive validated by the runtime. */
export function createHandlers(settings: PersonnelConfig, { roster, desk, surge }: Desks): Handlers<typeof personnel> {
  return {
    seed: (r) => roster.seed(r),
    resolveArea: (r) => roster.resolveArea(r.area),
    dispatch: (r) => desk.dispatch(r),
    fallback: (r) => desk.fallback(r),
    acknowledge: (r) => desk.acknowledge(r.taskId, r.personId),
    decline: (r) => desk.decline(r.taskId, r.personId),
    start: (r) => desk.start(r.taskId, r.personId),
    complete: (r) => desk.complete(r.taskId, r.personId, r.hours),
    standDown: (r) => desk.standDown(r.idempotencyKey, r.incidentId),
    summary: (r) => desk.summary(r.incidentId),
    readiness: async (r) => {
      const thresholds = thresholdsFrom(settings, r.thresholds);
      const resolved = await roster.resolveArea(r.area);
      const ids = resolved.districts.flatMap((d) => d.communities.map((c) => c.communityId));
      const today = r.asOf ?? new Date().toISOString().slice(0, 10);
      const communities = (await roster.communityShapes(ids)).map((shape) => assessCommunity(shape, thresholds, today)).sort((a, b) => (a.communityId < b.communityId ? -1 : 1));
      return { thresholds, communities, flagged: communities.filter((c) => !c.ready).map((c) => c.communityId) };
    },
    surgeCall: (r) => surge.open(r),
    surgeAnswer: (r) => surge.answer(r),
    incidentRoster: (r) => surge.incidentRoster(r.incidentId),
    preview: async (r) => {
      const asOf = r.asOf ?? new Date().toISOString().slice(0, 10);
      const shapes = new Map((await roster.communityShapes([...new Set(r.needs.map((n) => n.communityId))])).map((c) => [c.communityId, c]));
      // The candidates a dispatch ranks (rankCandidates), before any of them holds a task of the incident.
      const needs = r.needs.map((n) => ({ ...n, candidates: (shapes.get(n.communityId)?.people ?? []).filter((p) => p.type === n.role && p.available && qualifiedFor(p, n.skill, asOf)).length }));
      return { asOf, needs };
    },
  };
}
