import { incentivesContract } from '@lifeline/contracts';
import { participantTypeOf, pointsForTask, RULES_V1, RuleTable } from '../src/domain/rules';

const work = { personType: 'volunteer', severity: 'IV', hours: 2 } as const;

describe('incentive rules v1', () => {
  it('maps each person type to the participant type its rules are written for', () => {
    expect(participantTypeOf(RULES_V1, 'volunteer')).toBe('resident-volunteer');
    expect(participantTypeOf(RULES_V1, 'party-member')).toBe('resident-party-member');
    expect(participantTypeOf(RULES_V1, 'dual-registered-member')).toBe('dual-registered-member');
    for (const t of ['professional', 'health-centre-staff', 'community-police', 'social-worker'] as const) {
      expect(participantTypeOf(RULES_V1, t)).toBe('professional');
    }
    for (const t of ['grid-worker', 'building-leader', 'property-staff', 'community-staff'] as const) {
      expect(participantTypeOf(RULES_V1, t)).toBe('resident-volunteer');
    }
  });

  it('pays points per hour scaled by severity, rounded', () => {
    expect(pointsForTask(RULES_V1, work)).toEqual({ participantType: 'resident-volunteer', points: 20, capped: false, rulesVersion: 'v1', allowanceCny: 0 });
    expect(pointsForTask(RULES_V1, { ...work, severity: 'III', hours: 1.3 }).points).toBe(Math.round(10 * 1.3 * 1.2));
  });

  it('gives more for the same work at severity I than at IV', () => {
    const one = pointsForTask(RULES_V1, { ...work, severity: 'I' }).points;
    const four = pointsForTask(RULES_V1, { ...work, severity: 'IV' }).points;
    expect(one).toBeGreaterThan(four);
  });

  it('caps a single task at the participant type’s cap', () => {
    const long = pointsForTask(RULES_V1, { ...work, severity: 'I', hours: 48 });
    expect(long).toMatchObject({ points: RULES_V1.types['resident-volunteer'].capPerTask, capped: true });
    const pro = pointsForTask(RULES_V1, { personType: 'social-worker', severity: 'I', hours: 48 });
    expect(pro).toMatchObject({ participantType: 'professional', points: RULES_V1.types.professional.capPerTask, capped: true });
  });

  it('makes an award of zero hours impossible: the contract refuses it before the rules see it', () => {
    const request = {
      idempotencyKey: 'wf-1:step-award',
      incidentId: 'inc-1',
      severity: 'II',
      cause: { kind: 'task-completed', taskId: 't-1' },
      participantId: 'p-1',
      personType: 'volunteer',
    };
    expect(incentivesContract.AwardRequest.safeParse({ ...request, hours: 0 }).success).toBe(false);
    expect(incentivesContract.AwardRequest.safeParse({ ...request, hours: 1 }).success).toBe(true);
    expect(() => pointsForTask(RULES_V1, { ...work, hours: 0 })).toThrow('hours must be positive');
  });

  it('rejects a rule table where a more severe incident earns less', () => {
    const inverted = { ...RULES_V1, severityMultiplier: { I: 1, II: 1.2, III: 1.5, IV: 2 } };
    expect(RuleTable.safeParse(inverted).success).toBe(false);
    expect(RuleTable.safeParse(RULES_V1).success).toBe(true);
  });

  it('rejects a rule table missing a participant type', () => {
    const { professional: _dropped, ...types } = RULES_V1.types;
    expect(RuleTable.safeParse({ ...RULES_V1, types }).success).toBe(false);
  });
});
