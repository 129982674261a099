import { honourCandidates, type ParticipantWork } from '../src/domain/honours';
import { RULES_V1, RULES_V2 } from '../src/domain/rules';
import { reviewFigures } from '../src/domain/standings';

const w = (participantId: string, hours: number, participantType = 'resident-volunteer', tasks = 1, points = hours * 10): ParticipantWork => ({ participantId, participantType, hours, tasks, points });

describe('honour candidates', () => {
  const work = [w('p-a', 9, 'resident-volunteer', 3), w('p-b', 4, 'resident-party-member', 2), w('p-c', 2), w('p-d', 1.5), w('p-pro', 12, 'professional', 4), w('org-1', 3, 'social-organisation')];

  it('proposes residents who worked at least the minimum, most hours first, at most `limit`', () => {
    const found = honourCandidates(RULES_V2, { work, donations: [], households: [], limit: 5 });
    expect(found.filter((c) => c.kind === 'model-individual').map((c) => [c.participantId, c.score])).toEqual([
      ['p-a', 9],
      ['p-b', 4],
      ['p-c', 2],
    ]);
    expect(honourCandidates(RULES_V2, { work, donations: [], households: [], limit: 1 }).filter((c) => c.kind === 'model-individual')).toHaveLength(1);
  });

  it('proposes a household when at least two members worked enough hours together', () => {
    const households = [
      { householdId: 'hh-1', memberIds: ['p-b', 'p-c', 'p-nobody'] },
      { householdId: 'hh-2', memberIds: ['p-a'] },
    ];
    const families = honourCandidates(RULES_V2, { work, donations: [], households, limit: 5 }).filter((c) => c.kind === 'model-family');
    expect(families).toEqual([{ kind: 'model-family', participantId: 'hh-1', score: 6, figures: { hours: 6, tasks: 3, points: 60, donatedUnits: 0, members: 2 }, reason: '2 members worked 6 h' }]);
  });

  it('ranks donors by units delivered, and organisations also by their members’ hours', () => {
    const donations = [
      { donorId: 'ent-1', donorType: 'enterprise', units: 40 },
      { donorId: 'ent-1', donorType: 'enterprise', units: 30 },
      { donorId: 'ent-2', donorType: 'enterprise', units: 20 },
      { donorId: 'org-2', donorType: 'social-organisation', units: 5 },
    ] as const;
    const found = honourCandidates(RULES_V2, { work, donations, households: [], limit: 5 });
    expect(found.filter((c) => c.kind === 'caring-enterprise').map((c) => [c.participantId, c.score])).toEqual([['ent-1', 70]]);
    expect(found.filter((c) => c.kind === 'advanced-social-organisation').map((c) => [c.participantId, c.score])).toEqual([['org-1', 30]]);
  });

  it('proposes nobody under a rule table without honours', () => {
    expect(honourCandidates(RULES_V1, { work, donations: [], households: [], limit: 5 })).toEqual([]);
  });
});

describe('review figures', () => {
  it('sums points per participant type and allowances, ranks the top participants', () => {
    const awards = [
      { participantId: 'p-a', points: 30, participantType: 'resident-volunteer', allowanceCny: 30 },
      { participantId: 'p-b', points: 50, participantType: 'professional' },
      { participantId: 'p-a', points: 30, participantType: 'resident-volunteer' },
    ];
    expect(reviewFigures(awards, { volunteerHours: 7.333, flagsRaised: 2, honoursConfirmed: 1 })).toEqual({
      volunteerHours: 7.33,
      pointsByParticipantType: { 'resident-volunteer': 60, professional: 50 },
      topParticipants: ['p-a', 'p-b'],
      flagsRaised: 2,
      allowanceCny: 30,
      honoursConfirmed: 1,
    });
  });
});
