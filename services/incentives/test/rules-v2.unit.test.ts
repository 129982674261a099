import { pointsForTask, RULES_V2, RuleTable, workDay } from '../src/domain/rules';

const work = { personType: 'volunteer', severity: 'IV', hours: 2 } as const;

describe('incentive rules v2', () => {
  it('adds task-kind points before the severity multiplier', () => {
    expect(pointsForTask(RULES_V2, { ...work, taskKind: 'first-aid' }).points).toBe(30);
    expect(pointsForTask(RULES_V2, { ...work, severity: 'I', taskKind: 'first-aid' }).points).toBe(60);
    expect(pointsForTask(RULES_V2, { ...work, taskKind: 'unknown-kind' }).points).toBe(20);
  });

  it('pays drills half', () => {
    expect(pointsForTask(RULES_V2, { ...work, drill: true }).points).toBe(10);
  });

  it('cuts an award at what is left of the daily cap, and pays nothing once it is reached', () => {
    expect(pointsForTask(RULES_V2, { ...work, earnedToday: 190 })).toMatchObject({ points: 10, capped: true });
    expect(pointsForTask(RULES_V2, { ...work, earnedToday: 200 })).toMatchObject({ points: 0, capped: true });
    expect(pointsForTask(RULES_V2, { ...work, earnedToday: 100 })).toMatchObject({ points: 20, capped: false });
  });

  it('grants an allowance only where the participant type’s rule says so, for long enough work', () => {
    expect(pointsForTask(RULES_V2, { ...work, hours: 4 }).allowanceCny).toBe(30);
    expect(pointsForTask(RULES_V2, { ...work, hours: 3.5 }).allowanceCny).toBe(0);
    expect(pointsForTask(RULES_V2, { ...work, personType: 'party-member', hours: 6 }).allowanceCny).toBe(0);
    expect(pointsForTask(RULES_V2, { ...work, personType: 'health-centre-staff', hours: 6 })).toMatchObject({ participantType: 'professional', points: 24, allowanceCny: 0 });
  });

  it('refuses a table whose daily cap is below its per-task cap, or with a drill multiplier above 1', () => {
    const types = { ...RULES_V2.types, enterprise: { pointsPerHour: 5, capPerTask: 60, capPerDay: 30 } };
    expect(RuleTable.safeParse({ ...RULES_V2, types }).success).toBe(false);
    expect(RuleTable.safeParse({ ...RULES_V2, drillMultiplier: 2 }).success).toBe(false);
    expect(RuleTable.safeParse(RULES_V2).success).toBe(true);
  });

  it('counts work against the calendar day in China', () => {
    expect(workDay(new Date('2026-11-23T15:59:00Z'))).toBe('2026-11-23');
    expect(workDay(new Date('2026-11-23T16:00:00Z'))).toBe('2026-11-24');
  });
});
