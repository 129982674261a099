import type { personnelContract } from '@lifeline/contracts';
import { pad, pick, seededRandom } from './random';

type OrgUnit = personnelContract.OrgUnit;
type Person = personnelContract.PersonRecord;
type PartyUnit = personnelContract.PartyUnit;

/** What the personnel roster needs about one community: org units, people and the Party overlay. */
export interface RosterPart {
  units: OrgUnit[];
  people: Person[];
  partyUnits: PartyUnit[];
}

/**
 * The "1 + 1 + x" Party overlay of a synthetic community: a community committee, a branch per grid and a
 * courtyard group per building. Party members already in `people` join their grid's branch. Pure and
 * deterministic (ids only; no random draws), so adding it leaves every other seeded value unchanged.
 */
export function partyOverlay(communityId: string, units: readonly OrgUnit[], people: Person[]): PartyUnit[] {
  const committee = `${communityId}-pc`;
  const out: PartyUnit[] = [{ id: committee, level: 'committee', communityId, leaderId: `${communityId}-staff-1`, name: { zh: '社区党委', en: 'Community Party committee' } }];
  for (const grid of units.filter((u) => u.level === 'grid' && u.parentId === communityId)) {
    const branch = `${grid.id}-pb`;
    out.push({ id: branch, level: 'branch', communityId, parentId: committee, gridId: grid.id, leaderId: `${grid.id}-party-1`, name: { zh: '网格党支部', en: 'Grid Party branch' } });
    for (const building of units.filter((u) => u.level === 'building' && u.parentId === grid.id)) {
      out.push({ id: `${building.id}-pg`, level: 'group', communityId, parentId: branch, gridId: grid.id, buildingId: building.id, leaderId: `${building.id}-leader`, name: { zh: '楼栋党小组', en: 'Courtyard Party group' } });
    }
    for (const p of people) if (p.communityId === communityId && p.gridId === grid.id && p.type === 'party-member') p.partyUnitId = branch;
  }
  return out;
}

/**
 * The two communities the research compares, built deterministically:
 * - `strong`: community committee → a branch in each of 6 grids → 35 courtyard groups over 302 resident Party
 *   members (8–9 per group), a grid worker per grid, a health-centre nurse with a valid first-aid certificate;
 * - `weak`: the same population and grids, but two Party branches for all 300 members (150 each) and no
 *   branch in 4 of the 6 grids.
 */
export function exampleCommunity(kind: 'weak' | 'strong', communityId: string, parentId: string, seed = 1): RosterPart {
  const rand = seededRandom(seed);
  const SURNAMES = ['王', '李', '张', '刘', '陈', '杨'];
  const person = (id: string, type: Person['type'], extra: Partial<Person> = {}): Person => ({
    id,
    type,
    communityId,
    skills: [],
    name: pick(rand, SURNAMES) + pick(rand, ['伟', '芳', '娜', '敏', '静', '强']),
    phone: `13${pad(Math.floor(rand() * 1e9), 9)}`,
    ...extra,
  });
  const GRIDS = 6;
  const part: RosterPart = {
    units: [{ id: communityId, level: 'community', parentId, population: 3000, households: 1150, name: { zh: `${kind === 'strong' ? '强' : '弱'}示例社区`, en: `Example ${kind} community` } }],
    people: [person(`${communityId}-staff-1`, 'community-staff', { skills: ['coordination'] }), person(`${communityId}-health-1`, 'health-centre-staff', { qualifications: [{ skill: 'first-aid', expiresOn: '2099-12-31' }] })],
    partyUnits: [{ id: `${communityId}-pc`, level: 'committee', communityId, leaderId: `${communityId}-staff-1`, name: { zh: '社区党委', en: 'Community Party committee' } }],
  };
  const gridIds = Array.from({ length: GRIDS }, (_, g) => `${communityId}-g${g + 1}`);
  for (const gridId of gridIds) {
    part.units.push({ id: gridId, level: 'grid', parentId: communityId, population: 500, households: 192, name: { zh: '网格', en: 'Grid' } });
    part.people.push(person(`${gridId}-worker`, 'grid-worker', { gridId, skills: ['door-knock'] }));
  }
  const groups: string[] = [];
  if (kind === 'strong') {
    gridIds.forEach((gridId, g) => {
      part.partyUnits.push({ id: `${gridId}-pb`, level: 'branch', communityId, parentId: `${communityId}-pc`, gridId, name: { zh: '网格党支部', en: 'Grid Party branch' } });
      const courtyards = g < 5 ? 6 : 5;
      for (let c = 1; c <= courtyards; c++) {
        const buildingId = `${gridId}-y${c}`;
        part.units.push({ id: buildingId, level: 'building', parentId: gridId, name: { zh: `${c}号院`, en: `Courtyard ${c}` } });
        part.partyUnits.push({ id: `${buildingId}-pg`, level: 'group', communityId, parentId: `${gridId}-pb`, gridId, buildingId, name: { zh: '庭院党小组', en: 'Courtyard Party group' } });
        groups.push(`${buildingId}-pg`);
      }
    });
  } else {
    for (const b of [1, 2]) {
      part.partyUnits.push({ id: `${communityId}-pb${b}`, level: 'branch', communityId, parentId: `${communityId}-pc`, gridId: gridIds[b - 1]!, name: { zh: `第${b}党支部`, en: `Party branch ${b}` } });
      groups.push(`${communityId}-pb${b}`);
    }
  }
  const members = kind === 'strong' ? 302 : 300;
  for (let m = 0; m < members; m++) {
    const partyUnitId = groups[m % groups.length]!;
    const gridId = gridIds[m % GRIDS]!;
    part.people.push(person(`${communityId}-pm-${pad(m + 1, 3)}`, m % 10 === 9 ? 'dual-registered-member' : 'party-member', { gridId, partyUnitId, ...(m % 10 === 9 ? { workUnit: 'work unit' } : {}) }));
  }
  return part;
}
