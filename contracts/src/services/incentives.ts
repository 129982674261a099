import { z } from 'zod';
import { IdempotencyKey, IncidentId, Severity, Slug } from '../common';
import { endpoint, event } from '../define';
import { PersonType } from './personnel';

export const ParticipantType = z.enum(['resident-volunteer', 'resident-party-member', 'dual-registered-member', 'enterprise', 'social-organisation', 'professional']);
export type ParticipantType = z.infer<typeof ParticipantType>;

/**
 * An award for verified work: the caller names the cause (a completed task), never a number of points;
 * the service computes points from its rules and credits each cause once.
 */
export const AwardRequest = z.object({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  severity: Severity,
  cause: z.object({ kind: z.literal('task-completed'), taskId: z.string().min(1) }),
  participantId: Slug,
  personType: PersonType,
  hours: z.number().positive().max(72),
});
export const LedgerEntry = z.object({
  entryId: z.string(),
  participantId: Slug,
  incidentId: IncidentId.optional(),
  kind: z.enum(['award', 'redeem', 'reverse']),
  points: z.number().int(),
  balance: z.number().int().nonnegative(),
  cause: z.string(),
  hash: z.string(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const BalanceQuery = z.object({ participantId: Slug });
export const Balance = z.object({ participantId: Slug, balance: z.number().int().nonnegative(), entries: z.number().int() });
export const IncidentQuery = z.object({ incidentId: IncidentId });
export const IncentivesSummary = z.object({ incidentId: IncidentId, awards: z.number().int(), points: z.number().int(), participants: z.number().int() });
export type IncentivesSummary = z.infer<typeof IncentivesSummary>;

export const incentives = {
  award: endpoint('incentives', 'award', 'Credit points for a completed task, once per cause.', AwardRequest, LedgerEntry),
  balance: endpoint('incentives', 'balance', 'A participant’s points balance.', BalanceQuery, Balance),
  summary: endpoint('incentives', 'summary', 'Points awarded in an incident.', IncidentQuery, IncentivesSummary),
} as const;

export const incentivesEvents = {
  awarded: event('incentives', 'points-awarded', 'Points were credited to a participant.', LedgerEntry),
} as const;
