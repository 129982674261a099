import { z } from 'zod';
import { incentivesContract, LifelineError, personnelContract, Severity } from '@lifeline/contracts';

const { ParticipantType, HonourKind } = incentivesContract;
const { PersonType } = personnelContract;
type ParticipantType = z.infer<typeof ParticipantType>;
type PersonType = z.infer<typeof PersonType>;

const TypeRule = z.object({
  pointsPerHour: z.number().positive(),
  /** No single task earns more than this, however long it ran. */
  capPerTask: z.number().int().positive(),
  /** No participant earns more than this from tasks on one day (Asia/Shanghai); absent = no daily cap. */
  capPerDay: z.number().int().positive().optional(),
  /** A cash allowance for a task of at least `minHours` (meals, transport), paid outside the ledger. */
  allowance: z.object({ cnyPerTask: z.number().positive(), minHours: z.number().positive() }).optional(),
});

const HonourRule = z.object({
  /** Points the ledger credits when an operator confirms the honour. */
  points: z.number().int().positive(),
  /** The least score (hours, or donated units for donors) a candidate needs. */
  minScore: z.number().nonnegative(),
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
    /** Flat points per task kind (the task's skill, else its role), added before the severity multiplier. */
    taskKindPoints: z.record(z.string().regex(/^[a-z0-9-]+$/), z.number().int().nonnegative()).default({}),
    /** Drill tasks earn this share of the points of real work. */
    drillMultiplier: z.number().min(0).max(1).default(1),
    /** Hours a single task can plausibly take; more is flagged and paid only up to this. */
    maxPlausibleHoursPerTask: z.number().positive().max(72).default(72),
    honours: z.record(HonourKind, HonourRule).optional(),
  })
  .refine((t) => t.severityMultiplier.I >= t.severityMultiplier.II && t.severityMultiplier.II >= t.severityMultiplier.III && t.severityMultiplier.III >= t.severityMultiplier.IV, {
    message: 'a more severe incident never earns fewer points per hour',
    path: ['severityMultiplier'],
  })
  .refine((t) => Object.values(t.types).every((r) => r.capPerDay === undefined || r.capPerDay >= r.capPerTask), {
    message: 'a daily cap is at least the per-task cap',
    path: ['types'],
  });
export type RuleTable = z.infer<typeof RuleTable>;

const PERSON_TYPES = {
  volunteer: 'resident-volunteer',
  'party-member': 'resident-party-member',
  'dual-registered-member': 'dual-registered-member',
  professional: 'professional',
  'health-centre-staff': 'professional',
  'community-police': 'professional',
  'social-worker': 'professional',
} as const;

/** The first rule table: residents earn most per hour; professionals are on duty, so they earn a token amount. */
export const RULES_V1: RuleTable = RuleTable.parse({
  version: 'v1',
  effectiveFrom: '2026-01-01',
  participantTypeOf: PERSON_TYPES,
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

/**
 * v2 adds daily caps, task-kind points, allowances for residents who work a long shift, half points for
 * drills, a plausibility limit on hours, and the honours confirmed at review.
 */
export const RULES_V2: RuleTable = RuleTable.parse({
  version: 'v2',
  effectiveFrom: '2026-11-01',
  participantTypeOf: PERSON_TYPES,
  defaultParticipantType: 'resident-volunteer',
  types: {
    'resident-volunteer': { pointsPerHour: 10, capPerTask: 120, capPerDay: 200, allowance: { cnyPerTask: 30, minHours: 4 } },
    'resident-party-member': { pointsPerHour: 10, capPerTask: 120, capPerDay: 200 },
    'dual-registered-member': { pointsPerHour: 10, capPerTask: 120, capPerDay: 200, allowance: { cnyPerTask: 30, minHours: 4 } },
    enterprise: { pointsPerHour: 5, capPerTask: 60, capPerDay: 120 },
    'social-organisation': { pointsPerHour: 5, capPerTask: 60, capPerDay: 120 },
    professional: { pointsPerHour: 4, capPerTask: 48, capPerDay: 96 },
  },
  severityMultiplier: { I: 2, II: 1.5, III: 1.2, IV: 1 },
  taskKindPoints: { 'first-aid': 10, 'door-knock': 5, coordination: 5 },
  drillMultiplier: 0.5,
  maxPlausibleHoursPerTask: 16,
  honours: {
    'model-individual': { points: 100, minScore: 2 },
    'model-family': { points: 100, minScore: 6 },
    'caring-enterprise': { points: 100, minScore: 50 },
    'advanced-social-organisation': { points: 100, minScore: 20 },
  },
});

export const RULE_TABLES = { v1: RULES_V1, v2: RULES_V2 } as const;

export function participantTypeOf(rules: RuleTable, personType: PersonType): ParticipantType {
  return rules.participantTypeOf[personType] ?? rules.defaultParticipantType;
}

export interface TaskWork {
  personType: PersonType;
  severity: Severity;
  hours: number;
  /** The task's skill, else its role: what `taskKindPoints` is keyed by. */
  taskKind?: string | undefined;
  drill?: boolean | undefined;
  /** Task points this participant already earned on the task's day (for the daily cap). */
  earnedToday?: number | undefined;
}

export interface TaskPoints {
  participantType: ParticipantType;
  points: number;
  /** True when the per-task or the daily cap cut the award. */
  capped: boolean;
  rulesVersion: string;
  /** Cash allowance the rule grants for this task (0 when none). */
  allowanceCny: number;
}

/**
 * points = round((pointsPerHour[type] × hours + taskKindPoints[kind]) × severityMultiplier × (drill ? drillMultiplier : 1)),
 * at most the type's per-task cap and what is left of its daily cap.
 */
export function pointsForTask(rules: RuleTable, work: TaskWork): TaskPoints {
  if (!(work.hours > 0)) throw new LifelineError('invalid_request', 'hours must be positive', [{ path: 'hours', message: 'must be positive' }]);
  const participantType = participantTypeOf(rules, work.personType);
  const rule = rules.types[participantType];
  const kindPoints = work.taskKind ? (rules.taskKindPoints[work.taskKind] ?? 0) : 0;
  const scale = rules.severityMultiplier[work.severity] * (work.drill ? rules.drillMultiplier : 1);
  const uncapped = Math.round((rule.pointsPerHour * work.hours + kindPoints) * scale);
  const leftToday = rule.capPerDay === undefined ? Infinity : Math.max(0, rule.capPerDay - (work.earnedToday ?? 0));
  const points = Math.min(uncapped, rule.capPerTask, leftToday);
  const allowanceCny = rule.allowance && work.hours >= rule.allowance.minHours ? rule.allowance.cnyPerTask : 0;
  return { participantType, points, capped: points < uncapped, rulesVersion: rules.version, allowanceCny };
}

/** The day a piece of work counts against for daily caps: the calendar date in China (UTC+8, no DST). */
export function workDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
