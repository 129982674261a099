import { PlanDocument, type personnelContract, type suppliesContract } from '@lifeline/contracts';
import { PlanPreview } from '@lifeline/contracts/http/plan-preview';
import { assemblePreview, planDemand, type PreviewAnswers } from '../src/domain/preview';

const text = { zh: '步骤', en: 'Step' };
const plan = PlanDocument.parse({
  id: 'preview-plan',
  version: 3,
  title: text,
  kind: 'natural-disaster',
  hazard: 'flood',
  severityScaling: { I: 2, II: 1.5, III: 1.2, IV: 1 },
  phases: {
    warn: [
      { id: 'warn-vulnerable', kind: 'notify', title: text, audience: { groups: ['vulnerable'] }, channels: ['door-knock', 'sms'], message: text },
      { id: 'warn-all', kind: 'notify', title: text, audience: { groups: ['everyone'] }, channels: ['sms', 'app-push'], message: text },
    ],
    mobilize: [
      { id: 'reserve-kits', kind: 'reserve', title: text, items: [{ itemCode: 'tent', perThousandResidents: 5, minimum: 1 }, { itemCode: 'water-24', perThousandResidents: 0, minimum: 0 }] },
      { id: 'reserve-generators', kind: 'reserve', title: text, severities: ['I'], items: [{ itemCode: 'generator', perThousandResidents: 2, minimum: 1 }] },
      { id: 'patrol', kind: 'dispatch', title: text, task: text, role: 'grid-worker', skill: 'door-knock', ackDeadlineSeconds: 60 },
      { id: 'patrol-again', kind: 'dispatch', title: text, task: text, role: 'grid-worker', skill: 'door-knock', ackDeadlineSeconds: 60 },
      { id: 'wait', kind: 'await', title: text, for: 'timer', seconds: 5 },
    ],
    respond: [{ id: 'shelters', kind: 'open-site', title: text, siteKinds: ['school'], capacityShare: 0.05 }],
    recover: [],
    review: [{ id: 'figures', kind: 'collect', title: text, figures: ['supplies'] }],
  },
});
const area: personnelContract.ResolvedArea = {
  districts: [
    { districtId: 'd1', communities: [{ communityId: 'c1', population: 1000, subDistrictId: 's1' }, { communityId: 'c2', population: 2001 }] },
    { districtId: 'd2', communities: [{ communityId: 'c2', population: 2001 }, { communityId: 'c3', population: 0 }] },
  ],
};

describe('a plan preview', () => {
  const demand = planDemand(plan, 'II', area);

  it('walks the steps in plan order, each community once, leaving out steps its severities exclude', () => {
    expect(demand.communities.map((c) => c.communityId)).toEqual(['c1', 'c2', 'c3']);
    expect(demand.steps.map((s) => [s.stepId, s.runs, s.applies])).toEqual([
      ['warn-vulnerable', 'communities', true],
      ['warn-all', 'communities', true],
      ['reserve-kits', 'communities', true],
      ['reserve-generators', 'communities', false],
      ['patrol', 'communities', true],
      ['patrol-again', 'communities', true],
      ['wait', 'incident', true],
      ['shelters', 'communities', true],
      ['figures', 'incident', true],
    ]);
  });

  it('asks for what the workflow would reserve: scaled by population and severity, empty lines dropped', () => {
    // tent: ceil(5 × pop / 1000 × 1.5), at least 1; water at 0 per thousand and minimum 0 is no line at all.
    expect(demand.supplies.reservations).toEqual([
      { communityId: 'c1', stepId: 'reserve-kits', lines: [{ itemCode: 'tent', quantity: 8 }] },
      { communityId: 'c2', stepId: 'reserve-kits', lines: [{ itemCode: 'tent', quantity: 16 }] },
      { communityId: 'c3', stepId: 'reserve-kits', lines: [{ itemCode: 'tent', quantity: 1 }] },
    ]);
    expect(demand.supplies.sites).toEqual([
      { communityId: 'c1', stepId: 'shelters', siteKinds: ['school'], capacity: 50 },
      { communityId: 'c2', stepId: 'shelters', siteKinds: ['school'], capacity: 101 },
      { communityId: 'c3', stepId: 'shelters', siteKinds: ['school'], capacity: 0 },
    ]);
    // At I (× 2): ceil(2 × 1 × 2) = 4, ceil(2 × 2.001 × 2) = 9, and the minimum 1 for an empty community.
    expect(planDemand(plan, 'I', area).supplies.reservations!.filter((r) => r.stepId === 'reserve-generators').map((r) => r.lines)).toEqual([
      [{ itemCode: 'generator', quantity: 4 }],
      [{ itemCode: 'generator', quantity: 9 }],
      [{ itemCode: 'generator', quantity: 1 }],
    ]);
  });

  it('adds the answers up: residents per group vulnerable first, messages on each step’s first channel, people short per community', () => {
    const registry = [
      { residents: 300, vulnerable: 40 },
      { residents: 600, vulnerable: 90 },
      { residents: 0, vulnerable: 0 },
    ];
    const prediction = (communityId: string, recipients: number, vulnerable: number, predictedSeconds: number) => ({ communityId, recipients, vulnerable, predictedSeconds, ratePerSecond: 100 });
    const supplies: suppliesContract.Preview = {
      asOf: '2026-12-03',
      reservations: [
        { communityId: 'c1', stepId: 'reserve-kits', lines: [{ itemCode: 'tent', requested: 8, reservable: 8, shortfall: 0 }] },
        { communityId: 'c2', stepId: 'reserve-kits', lines: [{ itemCode: 'tent', requested: 16, reservable: 10, shortfall: 6 }] },
        { communityId: 'c3', stepId: 'reserve-kits', lines: [{ itemCode: 'tent', requested: 1, reservable: 1, shortfall: 0 }] },
      ],
      depots: [],
      shortfalls: [],
      transfers: [],
      donations: [],
      uncovered: [],
      sites: [],
    };
    const answers: PreviewAnswers = {
      predictions: [
        ...registry.map((r, i) => prediction(`c${i + 1}`, r.residents, r.vulnerable, 1)),
        prediction('c1', 40, 40, 4),
        prediction('c2', 90, 90, 9),
        prediction('c3', 0, 0, 0),
        prediction('c1', 300, 40, 3),
        prediction('c2', 600, 90, 6),
        { ...prediction('c3', 0, 0, 0), refused: { code: 'invalid_request', message: 'no residents' } },
      ],
      supplies,
      personnel: {
        asOf: '2026-12-03',
        needs: ['patrol', 'patrol-again'].flatMap((stepId) => [
          { communityId: 'c1', stepId, role: 'grid-worker' as const, skill: 'door-knock', candidates: 3 },
          { communityId: 'c2', stepId, role: 'grid-worker' as const, skill: 'door-knock', candidates: 1 },
          { communityId: 'c3', stepId, role: 'grid-worker' as const, skill: 'door-knock', candidates: 0 },
        ]),
      },
      readiness: {
        thresholds: { maxHouseholdsPerGridWorker: 300, maxPeoplePerGridWorker: 800, maxMembersPerPartyGroup: 15, requiredSkills: [] },
        communities: [{ communityId: 'c2', population: 2001, households: 700, grids: 1, gridWorkers: 1, partyMembers: 0, partyGroups: 0, maxMembersPerPartyGroup: 0, gridsWithoutBranch: [], gridsWithoutLeader: [], skillsMissing: [], ready: false, findings: [{ code: 'span-people', message: 'too wide', subjects: ['g1'], value: 2001, limit: 800 }] }],
        flagged: ['c2'],
      },
    };
    const preview = PlanPreview.parse(assemblePreview(plan, 'II', demand, answers));
    expect(preview.scaling).toBe(1.5);
    expect(preview.totals).toEqual({ districts: 2, communities: 3, population: 3001, residents: 900, vulnerable: 130 });
    expect(preview.districts.map((d) => [d.districtId, d.communities, d.residents])).toEqual([
      ['d1', 2, 900],
      ['d2', 1, 0],
    ]);
    expect(preview.residentsByGroup).toEqual([
      { group: 'vulnerable', residents: 130 },
      { group: 'everyone', residents: 900 },
    ]);
    expect(preview.notification.audiences.map((a) => [a.stepId, a.recipients, a.messages, a.predictedSeconds, a.refused.length])).toEqual([
      ['warn-vulnerable', 130, { 'door-knock': 130 }, 9, 0],
      ['warn-all', 900, { sms: 900 }, 6, 1],
    ]);
    expect(preview.notification.messages).toEqual({ 'door-knock': 130, sms: 900 });
    expect(preview.notification.predictedSeconds).toBe(15);
    expect(preview.supplies.byItem).toEqual([{ stepId: 'reserve-kits', itemCode: 'tent', requested: 25, reservable: 19, shortfall: 6 }]);
    // Two tasks per community need two people: c1 has 3, c2 1 (short 1), c3 none (short 2).
    expect(preview.personnel.byRole).toEqual([{ role: 'grid-worker', skill: 'door-knock', needed: 6, available: 4, short: 3 }]);
    expect(preview.personnel.tasks.map((t) => [t.stepId, t.tasks, t.communitiesWithoutCandidates])).toEqual([
      ['patrol', 3, ['c3']],
      ['patrol-again', 3, ['c3']],
    ]);
    expect(preview.personnel.spansOfControl).toEqual([{ communityId: 'c2', code: 'span-people', message: 'too wide', value: 2001, limit: 800 }]);
  });
});
