import type { personnelContract } from '@lifeline/contracts';
import { qualifiedFor } from './candidates';

type Thresholds = personnelContract.ReadinessReport['thresholds'];
type Finding = personnelContract.ReadinessFinding;

/** What the readiness analysis reads about one community (ids and counts only, no personal data). */
export interface CommunityShape {
  communityId: string;
  population: number;
  households?: number | undefined;
  grids: { id: string; households?: number | undefined; population: number }[];
  people: { id: string; type: string; gridId?: string | undefined; partyUnitId?: string | undefined; available: boolean; skills?: readonly string[] | undefined; qualifications?: readonly personnelContract.Qualification[] | undefined }[];
  partyUnits: { id: string; level: 'committee' | 'branch' | 'group'; gridId?: string | undefined; parentId?: string | undefined }[];
}

/** People per household when a unit does not say how many households it has. */
export const PEOPLE_PER_HOUSEHOLD = 2.6;
const PARTY_TYPES = new Set(['party-member', 'dual-registered-member']);
const ratio = (n: number, d: number) => (d === 0 ? undefined : Math.round((n / d) * 10) / 10);

function householdsOf(shape: CommunityShape): number {
  if (shape.households !== undefined) return shape.households;
  const fromGrids = shape.grids.reduce((sum, g) => sum + (g.households ?? 0), 0);
  return fromGrids > 0 ? fromGrids : Math.round(shape.population / PEOPLE_PER_HOUSEHOLD);
}

/** The largest number of Party members one unit leads directly; members with no unit count under one "unorganised" unit. */
function widestPartySpan(members: CommunityShape['people'], units: CommunityShape['partyUnits']): { max: number; unitId?: string } {
  const known = new Set(units.map((u) => u.id));
  const counts = new Map<string, number>();
  for (const m of members) {
    const unit = m.partyUnitId && known.has(m.partyUnitId) ? m.partyUnitId : '(unorganised)';
    counts.set(unit, (counts.get(unit) ?? 0) + 1);
  }
  let widest: { max: number; unitId?: string } = { max: 0 };
  for (const [unitId, n] of [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) if (n > widest.max) widest = { max: n, unitId };
  return widest;
}

/**
 * Span-of-control readiness of one community: households and people per grid worker, members per Party group
 * (the lowest Party unit a member belongs to), grids without a Party branch or a grid worker, required skills
 * nobody available holds a valid qualification for. Every breach is a finding; `ready` when there is none.
 */
export function assessCommunity(shape: CommunityShape, limits: Thresholds, today: string): personnelContract.CommunityReadiness {
  const findings: Finding[] = [];
  const households = householdsOf(shape);
  const gridWorkers = shape.people.filter((p) => p.type === 'grid-worker' && p.available);
  const perWorkerHouseholds = ratio(households, gridWorkers.length);
  const perWorkerPeople = ratio(shape.population, gridWorkers.length);
  if (gridWorkers.length === 0 && shape.population > 0) findings.push({ code: 'span-people', message: 'no available grid worker for the community', subjects: [shape.communityId], value: shape.population, limit: limits.maxPeoplePerGridWorker });
  if (perWorkerHouseholds !== undefined && perWorkerHouseholds > limits.maxHouseholdsPerGridWorker)
    findings.push({ code: 'span-households', message: `${perWorkerHouseholds} households per grid worker (limit ${limits.maxHouseholdsPerGridWorker})`, subjects: [shape.communityId], value: perWorkerHouseholds, limit: limits.maxHouseholdsPerGridWorker });
  if (perWorkerPeople !== undefined && perWorkerPeople > limits.maxPeoplePerGridWorker)
    findings.push({ code: 'span-people', message: `${perWorkerPeople} residents per grid worker (limit ${limits.maxPeoplePerGridWorker})`, subjects: [shape.communityId], value: perWorkerPeople, limit: limits.maxPeoplePerGridWorker });

  const members = shape.people.filter((p) => PARTY_TYPES.has(p.type));
  const widest = widestPartySpan(members, shape.partyUnits);
  if (members.length > 0 && shape.partyUnits.length === 0) findings.push({ code: 'no-party-overlay', message: `${members.length} Party members without any committee, branch or group`, subjects: [shape.communityId], value: members.length });
  if (widest.max > limits.maxMembersPerPartyGroup)
    findings.push({ code: 'span-party-group', message: `${widest.max} Party members led by one unit (limit ${limits.maxMembersPerPartyGroup})`, subjects: [widest.unitId!], value: widest.max, limit: limits.maxMembersPerPartyGroup });

  const gridIds = shape.grids.map((g) => g.id).sort();
  const branched = new Set(shape.partyUnits.filter((u) => u.level === 'branch' && u.gridId).map((u) => u.gridId!));
  const led = new Set(gridWorkers.flatMap((p) => (p.gridId ? [p.gridId] : [])));
  const gridsWithoutBranch = gridIds.filter((g) => !branched.has(g));
  const gridsWithoutLeader = gridIds.filter((g) => !led.has(g));
  if (gridsWithoutBranch.length > 0) findings.push({ code: 'grid-without-branch', message: `${gridsWithoutBranch.length} of ${gridIds.length} grids have no Party branch`, subjects: gridsWithoutBranch, value: gridsWithoutBranch.length });
  if (gridsWithoutLeader.length > 0) findings.push({ code: 'grid-without-leader', message: `${gridsWithoutLeader.length} of ${gridIds.length} grids have no available grid worker`, subjects: gridsWithoutLeader, value: gridsWithoutLeader.length });

  const available = shape.people.filter((p) => p.available);
  const skillsMissing = limits.requiredSkills.filter((skill) => !available.some((p) => qualifiedFor(p, skill, today))).sort();
  if (skillsMissing.length > 0) findings.push({ code: 'skill-missing', message: `nobody available with a valid ${skillsMissing.join(', ')}`, subjects: skillsMissing, value: skillsMissing.length });

  const report: personnelContract.CommunityReadiness = {
    communityId: shape.communityId,
    population: shape.population,
    households,
    grids: gridIds.length,
    gridWorkers: gridWorkers.length,
    partyMembers: members.length,
    partyGroups: shape.partyUnits.filter((u) => u.level !== 'committee').length,
    maxMembersPerPartyGroup: widest.max,
    gridsWithoutBranch,
    gridsWithoutLeader,
    skillsMissing,
    findings,
    ready: findings.length === 0,
  };
  if (perWorkerHouseholds !== undefined) report.householdsPerGridWorker = perWorkerHouseholds;
  if (perWorkerPeople !== undefined) report.peoplePerGridWorker = perWorkerPeople;
  return report;
}
