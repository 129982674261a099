import { PlanDocument } from '@lifeline/contracts';
import { reserveQuantities } from '../src/domain/quantities';
import { computeReview, totalFigures } from '../src/domain/review';
import { emptyFigures, newCommunityState, type CommunityState } from '../src/domain/state';
import { idempotencyKey } from '../src/domain/keys';
import { districtSteps, leadingWarnings, splitPhase } from '../src/domain/segments';
import { summaries } from '../src/domain/summaries';

const scaling = { I: 2, II: 1.5, III: 1.2, IV: 1 };
const items = [
  { itemCode: 'tent', perThousandResidents: 5, minimum: 1 },
  { itemCode: 'water-24', perThousandResidents: 20, minimum: 5 },
];

describe('reserve quantities', () => {
  test('scale per thousand residents by the severity multiplier, rounding up', () => {
    expect(reserveQuantities(items, 2000, 'II', scaling)).toEqual([
      { itemCode: 'tent', quantity: 15 },
      { itemCode: 'water-24', quantity: 60 },
    ]);
    expect(reserveQuantities(items, 1100, 'IV', scaling)).toEqual([
      { itemCode: 'tent', quantity: 6 },
      { itemCode: 'water-24', quantity: 22 },
    ]);
  });

  test('a small community still gets the minimum', () => {
    expect(reserveQuantities(items, 50, 'IV', scaling)).toEqual([
      { itemCode: 'tent', quantity: 1 },
      { itemCode: 'water-24', quantity: 5 },
    ]);
  });

  test('floating point does not round a whole number up (1000 residents × 5 × 1.2 is 6, not 7)', () => {
    expect(reserveQuantities([{ itemCode: 'tent', perThousandResidents: 5, minimum: 0 }], 1000, 'III', scaling)).toEqual([{ itemCode: 'tent', quantity: 6 }]);
  });

  test('lines that come to zero are dropped and huge ones are capped', () => {
    expect(reserveQuantities([{ itemCode: 'tent', perThousandResidents: 0, minimum: 0 }], 5000, 'I', scaling)).toEqual([]);
    expect(reserveQuantities([{ itemCode: 'tent', perThousandResidents: 1000, minimum: 0 }], 10_000_000, 'I', scaling)).toEqual([{ itemCode: 'tent', quantity: 1_000_000 }]);
  });
});

function community(id: string, change: (c: CommunityState) => void = () => undefined): CommunityState {
  const c = newCommunityState('d-1', id, 1000);
  change(c);
  return c;
}

describe('review', () => {
  test('totals add every community section by section', () => {
    const a = community('c-a', (c) => Object.assign(c.figures.supplies, { reserved: 10, issued: 8, returned: 2, shortfall: 1 }));
    const b = community('c-b', (c) => Object.assign(c.figures.personnel, { tasks: 2, acknowledged: 2, done: 1, fallbacks: 1, missed: 0 }));
    const totals = totalFigures([a, b]);
    expect(totals.supplies).toEqual({ reserved: 10, issued: 8, returned: 2, shortfall: 1 });
    expect(totals.personnel).toEqual({ tasks: 2, acknowledged: 2, done: 1, fallbacks: 1, missed: 0 });
    expect(totals.notification).toEqual(emptyFigures().notification);
  });

  test('findings name shortfalls, missed acknowledgements, unfinished work, unreached residents and notes', () => {
    const review = computeReview({
      incidentId: 'flood-1',
      planId: 'community-drill',
      planVersion: 1,
      outcome: 'completed',
      startedAt: new Date('2026-01-01T00:00:00Z'),
      endedAt: new Date('2026-01-01T01:00:00Z'),
      communities: [
        community('c-b', (c) => {
          Object.assign(c.figures.personnel, { tasks: 2, acknowledged: 1, done: 0, fallbacks: 2, missed: 1 });
          c.notes.push({ phase: 'respond', stepId: 'open-shelter', note: 'not executed: no site service' });
        }),
        community('c-a', (c) => {
          c.figures.supplies.shortfall = 4;
          Object.assign(c.figures.notification, { jobs: 1, total: 100, sent: 90 });
        }),
        community('c-quiet'),
      ],
    });
    expect(review.durationSeconds).toBe(3600);
    expect(review.findings).toEqual([
      { communityId: 'c-a', finding: 'supplies short by 4 unit(s)' },
      { communityId: 'c-a', finding: 'reached 90 of 100 residents' },
      { communityId: 'c-b', finding: '1 missed acknowledgement(s)' },
      { communityId: 'c-b', finding: '2 task(s) fell back to a backup' },
      { communityId: 'c-b', finding: '1 acknowledged task(s) not reported done' },
      { communityId: 'c-b', finding: 'respond/open-shelter: not executed: no site service' },
    ]);
  });
});

describe('idempotency keys', () => {
  test('are workflow id + step id (+ suffix), never attempt numbers', () => {
    expect(idempotencyKey('incident-a/community-b', 'dispatch-grid-worker', 'fallback', 2)).toBe('incident-a/community-b:dispatch-grid-worker:fallback:2');
  });

  test('over-long keys stay within 200 characters and stay distinct', () => {
    const long = 'x'.repeat(63);
    const one = idempotencyKey(`incident-${long}/community-${long}`, long, 'fallback', 1);
    const two = idempotencyKey(`incident-${long}/community-${long}`, long, 'fallback', 2);
    expect(one.length).toBeLessThanOrEqual(200);
    expect(one).not.toBe(two);
    expect(idempotencyKey(`incident-${long}/community-${long}`, long, 'fallback', 1)).toBe(one);
  });
});

describe('phase segments', () => {
  test('consecutive community steps fan out together; await and collect run at the incident, in plan order', () => {
    const plan = PlanDocument.parse({
      id: 'p',
      version: 1,
      title: { zh: '预案', en: 'plan' },
      kind: 'comprehensive',
      hazard: 'flood',
      severityScaling: scaling,
      phases: {
        mobilize: [
          { id: 'confirm', kind: 'await', for: 'operator', title: { zh: '确认', en: 'confirm' } },
          { id: 'reserve', kind: 'reserve', title: { zh: '预留', en: 'reserve' }, items: [] },
          { id: 'open', kind: 'open-site', title: { zh: '开放', en: 'open' }, siteKinds: ['park'], capacityShare: 0.1 },
          { id: 'figures', kind: 'collect', title: { zh: '汇总', en: 'collect' }, figures: ['supplies'] },
          { id: 'award', kind: 'award', for: 'completed-tasks', title: { zh: '积分', en: 'award' } },
        ],
      },
    });
    const segments = splitPhase(plan.phases.mobilize).map((s) => (s.scope === 'incident' ? s.step.id : s.steps.map((x) => x.id)));
    expect(segments).toEqual(['confirm', ['reserve', 'open'], 'figures', ['award']]);
  });

  test('a district warns itself up to the first step of another kind, or one that would ask the commander', () => {
    const notify = (id: string, onDeadline = 'continue') => ({ id, kind: 'notify', title: { zh: '预警', en: id }, audience: { groups: ['everyone'] }, channels: ['sms'], message: { zh: '注意', en: 'attention' }, onDeadline });
    const dispatch = { id: 'dispatch', kind: 'dispatch', title: { zh: '派', en: 'dispatch' }, role: 'grid-worker', task: { zh: '查', en: 'check' }, ackDeadlineSeconds: 60 };
    const warn = (steps: unknown[]) => PlanDocument.parse({ id: 'p', version: 1, title: { zh: '预案', en: 'plan' }, kind: 'comprehensive', hazard: 'flood', severityScaling: scaling, phases: { warn: steps } }).phases.warn;
    const ids = (steps: unknown[]) => leadingWarnings(warn(steps)).map((s) => s.id);
    expect(ids([notify('a'), notify('b', 'escalate-severity'), dispatch, notify('c')])).toEqual(['a', 'b']);
    expect(ids([notify('a'), notify('b', 'ask-commander'), notify('c')])).toEqual(['a']);
    expect(ids([dispatch, notify('a')])).toEqual([]);
    expect(ids([])).toEqual([]);
  });

  test("a district runs a segment's leading notify, reserve (and award) steps itself, up to one that waits on the community", () => {
    const notify = (id: string, onDeadline = 'continue') => ({ id, kind: 'notify', title: { zh: '预警', en: id }, audience: { groups: ['everyone'] }, channels: ['sms'], message: { zh: '注意', en: 'attention' }, onDeadline });
    const reserve = (id: string, action = 'reserve') => ({ id, kind: 'reserve', action, title: { zh: '预留', en: id }, items: action === 'reserve' ? [{ itemCode: 'tent', perThousandResidents: 5 }] : [] });
    const dispatch = { id: 'dispatch', kind: 'dispatch', title: { zh: '派', en: 'dispatch' }, role: 'grid-worker', task: { zh: '查', en: 'check' }, ackDeadlineSeconds: 60 };
    const award = { id: 'award', kind: 'award', for: 'completed-tasks', title: { zh: '积分', en: 'award' } };
    const site = { id: 'open', kind: 'open-site', title: { zh: '开放', en: 'open' }, siteKinds: ['park'], capacityShare: 0.1 };
    const ids = (steps: unknown[], how?: { awards: boolean }) =>
      districtSteps(PlanDocument.parse({ id: 'p', version: 1, title: { zh: '预案', en: 'plan' }, kind: 'comprehensive', hazard: 'flood', severityScaling: scaling, phases: { mobilize: steps } }).phases.mobilize, how).map((s) => s.id);
    expect(ids([reserve('kits'), dispatch, reserve('more')])).toEqual(['kits']);
    expect(ids([reserve('issue', 'issue'), award])).toEqual(['issue']);
    expect(ids([reserve('return', 'return'), notify('all-clear')])).toEqual(['return', 'all-clear']);
    expect(ids([notify('a'), notify('b', 'ask-commander'), reserve('kits')])).toEqual(['a']);
    expect(ids([site, reserve('kits')])).toEqual([]);
    expect(ids([dispatch])).toEqual([]);
    // Patch `district-awards`: award steps run in the district too (the tasks' completion is in the carried state).
    expect(ids([reserve('issue', 'issue'), award], { awards: true })).toEqual(['issue', 'award']);
    expect(ids([award, dispatch, { ...award, id: 'award-late' }], { awards: true })).toEqual(['award']);
    expect(ids([dispatch, award], { awards: true })).toEqual([]);
  });
});

describe('summaries (the line each command shows in the event history)', () => {
  test('a broadcast names its step, audience with counts, community and channels', () => {
    expect(summaries.broadcast('warn-residents', { communityId: 'c0031', population: 4812 }, ['everyone'], ['sms', 'app-push'], false)).toBe(
      'warn-residents: broadcast to 4,812 residents of c0031 by sms, app-push',
    );
    expect(summaries.broadcast('warn-vulnerable', { communityId: 'c1', population: 1 }, ['vulnerable', 'responders'], ['door-knock'], true)).toBe(
      'warn-vulnerable: broadcast to vulnerable residents and responders of c1 by door-knock (drill)',
    );
  });

  test('a reservation lists its item codes and quantities; issue, return and release name the step that reserved', () => {
    expect(summaries.reserve('reserve-kits', { communityId: 'c1', population: 1234567 }, [{ itemCode: 'tent', quantity: 1500 }], 'I')).toBe(
      'reserve-kits: reserve tent ×1,500 for 1,234,567 residents of c1 (severity I)',
    );
    expect(summaries.reservation('issue-kits', 'issue', 1, 'reserve-kits', 'c1')).toBe('issue-kits: issue 1 unit reserved by reserve-kits in c1');
    expect(summaries.reservation('stand-down', 'return', 8, 'reserve-kits', 'c1')).toBe('stand-down: return 8 units issued from reserve-kits in c1');
  });

  test('an area names a few ids and counts the rest, so a city-wide line stays one line', () => {
    const communityIds = Array.from({ length: 1200 }, (_, i) => `c${i}`);
    expect(summaries.resolveArea({ communityIds })).toBe('resolve the area: communities c0, c1, c2, c3, c4 +1,195 more');
    expect(summaries.resolveArea({ districtIds: ['d03'] })).toBe('resolve the area: district d03');
    expect(summaries.checkReadiness({ cityWide: true })).toBe('readiness: check spans of control and overlay gaps in the whole city');
  });
});
