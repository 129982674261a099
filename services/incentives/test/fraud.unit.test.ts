import { claimFindings, dayFindings, payableHours, type VerifiedWork } from '../src/domain/fraud';
import { RULES_V2 } from '../src/domain/rules';

const completedAt = new Date('2026-11-23T12:00:00Z');
const hoursBefore = (h: number) => new Date(completedAt.getTime() - h * 3600_000);
const work: VerifiedWork = { taskId: 't-1', incidentId: 'inc-1', communityId: 'c-1', ownerId: 'p-1', hours: 2, drill: false, completedAt, assignedAt: hoursBefore(3) };

describe('fraud checks', () => {
  it('pays reported hours that fit between assignment and completion, with nothing flagged', () => {
    expect(payableHours(RULES_V2, work)).toEqual({ hours: 2, findings: [] });
    expect(payableHours(RULES_V2, { ...work, assignedAt: undefined })).toEqual({ hours: 2, findings: [] });
  });

  it('flags hours longer than the time since assignment and pays what fits (plus half an hour)', () => {
    const r = payableHours(RULES_V2, { ...work, hours: 8, assignedAt: hoursBefore(1) });
    expect(r.hours).toBe(1.5);
    expect(r.findings.map((f) => f.kind)).toEqual(['implausible-hours']);
  });

  it('flags a task longer than any task can be, even in a drill', () => {
    const r = payableHours(RULES_V2, { ...work, hours: 30, drill: true, assignedAt: hoursBefore(0.01) });
    expect(r.hours).toBe(RULES_V2.maxPlausibleHoursPerTask);
    expect(r.findings.map((f) => f.kind)).toEqual(['implausible-hours']);
  });

  it('trusts a drill’s simulated hours against the clock', () => {
    expect(payableHours(RULES_V2, { ...work, drill: true, assignedAt: hoursBefore(0.001) })).toEqual({ hours: 2, findings: [] });
  });

  it('pays nothing for work completed before it was assigned', () => {
    const r = payableHours(RULES_V2, { ...work, assignedAt: new Date(completedAt.getTime() + 60_000) });
    expect(r).toMatchObject({ hours: 0, findings: [{ kind: 'outside-time' }] });
  });

  it('flags more hours in a day than a day holds', () => {
    expect(dayFindings(20, 4, '2026-11-23')).toEqual([]);
    expect(dayFindings(20, 5, '2026-11-23').map((f) => f.kind)).toEqual(['implausible-hours']);
  });

  it('refuses a claim for someone else, another incident or another community, and only flags inflated hours', () => {
    const claim = { incidentId: 'inc-1', participantId: 'p-1', communityId: 'c-1', hours: 2 };
    expect(claimFindings(work, claim)).toEqual({ refuse: [], flag: [] });
    expect(claimFindings(work, { ...claim, participantId: 'p-2' }).refuse.map((f) => f.kind)).toEqual(['wrong-participant']);
    expect(claimFindings(work, { ...claim, incidentId: 'inc-2' }).refuse.map((f) => f.kind)).toEqual(['outside-area']);
    expect(claimFindings(work, { ...claim, communityId: 'c-9' }).refuse.map((f) => f.kind)).toEqual(['outside-area']);
    expect(claimFindings(work, { ...claim, communityId: undefined }).refuse).toEqual([]);
    expect(claimFindings(work, { ...claim, hours: 9 })).toMatchObject({ refuse: [], flag: [{ kind: 'implausible-hours' }] });
  });
});
