import { exampleCommunity, partyOverlay } from '@lifeline/testkit';
import { assessCommunity, type CommunityShape } from '../src/domain/readiness';

const limits = { maxHouseholdsPerGridWorker: 300, maxPeoplePerGridWorker: 1000, maxMembersPerPartyGroup: 15, requiredSkills: ['first-aid'] };
const today = '2026-06-01';

/** The seeded roster part as the service reads it back (no personal fields). */
function shapeOf(part: ReturnType<typeof exampleCommunity>, communityId: string): CommunityShape {
  const community = part.units.find((u) => u.id === communityId)!;
  return {
    communityId,
    population: community.population ?? 0,
    households: community.households,
    grids: part.units.filter((u) => u.level === 'grid').map((g) => ({ id: g.id, population: g.population ?? 0, households: g.households })),
    people: part.people.map((p) => ({ id: p.id, type: p.type, gridId: p.gridId, partyUnitId: p.partyUnitId, available: p.available ?? true, skills: p.skills, qualifications: p.qualifications })),
    partyUnits: part.partyUnits.map((u) => ({ id: u.id, level: u.level, gridId: u.gridId, parentId: u.parentId })),
  };
}

describe('span-of-control readiness', () => {
  it('flags the weak example: two Party branches for everyone, grids without a branch', () => {
    const report = assessCommunity(shapeOf(exampleCommunity('weak', 'cw', 's1'), 'cw'), limits, today);
    expect(report.ready).toBe(false);
    expect(report.partyMembers).toBe(300);
    expect(report.maxMembersPerPartyGroup).toBe(150);
    expect(report.findings.map((f) => f.code).sort()).toEqual(['grid-without-branch', 'span-party-group']);
    expect(report.gridsWithoutBranch).toEqual(['cw-g3', 'cw-g4', 'cw-g5', 'cw-g6']);
  });

  it('passes the strong example: 35 courtyard groups over 302 members', () => {
    const report = assessCommunity(shapeOf(exampleCommunity('strong', 'cs', 's1'), 'cs'), limits, today);
    expect(report).toMatchObject({ ready: true, partyMembers: 302, partyGroups: 41, maxMembersPerPartyGroup: 9, gridsWithoutBranch: [], gridsWithoutLeader: [], skillsMissing: [], findings: [] });
    expect(report.householdsPerGridWorker).toBeCloseTo(191.7, 1);
  });

  it('flags too many households per grid worker, leaderless grids and a skill whose certificates expired', () => {
    const part = exampleCommunity('strong', 'cs', 's1');
    const shape = shapeOf(part, 'cs');
    shape.people = shape.people.filter((p) => p.type !== 'grid-worker' || p.gridId === 'cs-g1').map((p) => (p.type === 'health-centre-staff' ? { ...p, qualifications: [{ skill: 'first-aid', expiresOn: '2026-01-01' }] } : p));
    const report = assessCommunity(shape, limits, today);
    expect(report.findings.map((f) => f.code).sort()).toEqual(['grid-without-leader', 'skill-missing', 'span-households', 'span-people']);
    expect(report.gridsWithoutLeader).toHaveLength(5);
    expect(report.skillsMissing).toEqual(['first-aid']);
    expect(assessCommunity(shape, { ...limits, maxHouseholdsPerGridWorker: 2000, maxPeoplePerGridWorker: 5000, requiredSkills: [] }, today).findings.map((f) => f.code)).toEqual(['grid-without-leader']);
  });

  it('builds the synthetic city overlay: a branch per grid, a group per building, members in their branch', () => {
    const units = [
      { id: 'c1', level: 'community' as const, name: { zh: 'x', en: 'x' } },
      { id: 'c1-g1', level: 'grid' as const, parentId: 'c1', name: { zh: 'x', en: 'x' } },
      { id: 'c1-g1-b1', level: 'building' as const, parentId: 'c1-g1', name: { zh: 'x', en: 'x' } },
    ];
    const people = [{ id: 'c1-g1-party-1', type: 'party-member' as const, communityId: 'c1', gridId: 'c1-g1', name: 'n', phone: '13900000000' }];
    const overlay = partyOverlay('c1', units, people);
    expect(overlay.map((u) => [u.id, u.level, u.parentId])).toEqual([
      ['c1-pc', 'committee', undefined],
      ['c1-g1-pb', 'branch', 'c1-pc'],
      ['c1-g1-b1-pg', 'group', 'c1-g1-pb'],
    ]);
    expect(people[0]).toMatchObject({ partyUnitId: 'c1-g1-pb' });
  });
});
