import { z } from 'zod';
import { incentivesContract, LifelineError, personnelContract, Severity } from '@lifeline/contracts';

const { ParticipantType } = incentivesContract;
const { PersonType } = personnelContract;
type ParticipantType = z.infer<typeof ParticipantType>;
type PersonType = z.infer<typeof PersonType>;

const TypeRule = z.object({
  pointsPerHour: z.number().positive(),
  /** No single task earns more than this, however long it ran. */
  capPerTask: z.number().int().positive(),
});

/**
 * A versioned rule table. Rules are data, not code, so a review can propose a new version and old
 * entries keep the version they were computed with.
 */
export const RuleTable = z
  .object({
    version: z.string().regex(/^v[0-9]+$/),
    effectiveFrom: z.iso.date(),
    participantTypeOf: z.partialRecord(PersonType, ParticipantType),
    defaultParticipantType: ParticipantType,
    types: z.record(ParticipantType, TypeRule),
    severityMultiplier: z.record(Severity, z.number().positive()),
  })
  .refine((t) => t.severityMultiplier.I >= t.severityMultiplier.II && t.severityMultiplier.II >= t.severityMultiplier.III && t.severityMultiplier.III >= t.severityMultiplier.IV, {
    message: 'a more severe incident never earns fewer points per hour',
    path: ['severityMultiplier'],
  });
export type RuleTable = z.infer<typeof RuleTable>;

/** The first rule table: residents earn most per hour; professionals are on duty, so they earn a token amount. */
export const RULES_V1: RuleTable = RuleTable.parse({
  version: 'v1',
  effectiveFrom: '2026-01-01',
  participantTypeOf: {
    volunteer: 'resident-volunteer',
    'party-member': 'resident-party-member',
    'dual-registered-member': 'dual-registered-member',
    professional: 'professional',
    'health-centre-staff': 'professional',
    'community-police': 'professional',
    'social-worker': 'professional',
  },
  defaultParticipantType: 'resident-volunteer',
  types: {
    'resident-volunteer': { pointsPerHour: 10, capPerTask: 120 },
    'resident-party-member': { pointsPerHour: 10, capPerTask: 120 },
    'dual-registered-member': { pointsPerHour: 10, capPerTask: 120 },
    enterprise: { pointsPerHour: 5, capPerTask: 60 },
    'social-organisation': { pointsPerHour: 5, capPerTask: 60 },
    professional: { pointsPerHour: 4, capPerTask: 48 },
  },
  severityMultiplier: { I: 2, II: 1.5, III: 1.2, IV: 1 },
});

export const RULE_TABLES = { v1: RULES_V1 } as const;
export type RulesVersion = keyof typeof RULE_TABLES;

export function participantTypeOf(rules: RuleTable, personType: PersonType): ParticipantType {
  return rules.participantTypeOf[personType] ?? rules.defaultParticipantType;
}

export interface TaskWork {
  personType: PersonType;
  severity: Severity;
  hours: number;
}

export interface TaskPoints {
  participantType: ParticipantType;
  points: number;
  /** True when the per-task cap cut the award. */
  capped: boolean;
  rulesVersion: string;
}

/** points = round(pointsPerHour[type] × hours × severityMultiplier), at most the type's per-task cap. */
export function pointsForTask(rules: RuleTable, work: TaskWork): TaskPoints {
  if (!(work.hours > 0)) throw new LifelineError('invalid_request', 'hours must be positive', [{ path: 'hours', message: 'must be positive' }]);
  const participantType = participantTypeOf(rules, work.personType);
  const rule = rules.types[participantType];
  const uncapped = Math.round(rule.pointsPerHour * work.hours * rules.severityMultiplier[work.severity]);
  return { participantType, points: Math.min(uncapped, rule.capPerTask), capped: uncapped > rule.capPerTask, rulesVersion: rules.version };
}
