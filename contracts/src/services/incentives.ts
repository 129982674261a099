import { z } from 'zod';
import { CommunityId, IdempotencyKey, IncidentId, Severity, Slug } from '../common';
import { endpoint, event } from '../define';
import { atLeastOne } from '../rules';
import { PersonType, Task } from './personnel';

export const ParticipantType = z.enum(['resident-volunteer', 'resident-party-member', 'dual-registered-member', 'enterprise', 'social-organisation', 'professional']);
export type ParticipantType = z.infer<typeof ParticipantType>;

/**
 * Settle the award for a completed task. The service credits only tasks it has itself seen completed
 * (the personnel `task-completed` event): the owner and hours come from that event, the caller's
 * `participantId` must be that owner, and `personType`/`hours` are kept only as the caller's claim.
 * Idempotent by cause with the service's own consumer of the same event.
 */
export const AwardRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  severity: Severity,
  cause: z.strictObject({ kind: z.literal('task-completed'), taskId: z.string().min(1) }),
  participantId: Slug,
  personType: PersonType,
  hours: z.number().positive().max(72),
  /** The community the caller awards for; a task completed elsewhere is flagged `outside-area`. */
  communityId: CommunityId.optional(),
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
  /** Position in the participant's chain (1 = first entry). */
  seq: z.number().int().positive().optional(),
  communityId: CommunityId.optional(),
  /** Cash allowance (CNY) a rule grants alongside the points; paid outside the ledger. */
  allowanceCny: z.number().nonnegative().optional(),
  createdAt: z.iso.datetime().optional(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const BalanceQuery = z.strictObject({ participantId: Slug });
export const Balance = z.object({ participantId: Slug, balance: z.number().int().nonnegative(), entries: z.number().int() });
export const IncidentQuery = z.strictObject({ incidentId: IncidentId });
export const IncentivesSummary = z.object({
  incidentId: IncidentId,
  awards: z.number().int(),
  points: z.number().int(),
  participants: z.number().int(),
  /** Hours of verified completed tasks in the incident. */
  volunteerHours: z.number().nonnegative().optional(),
  pointsByParticipantType: z.partialRecord(ParticipantType, z.number().int()).optional(),
  /** Participant ids, most points first. */
  topParticipants: z.array(Slug).optional(),
  /** Fraud checks raised for the incident. */
  flagsRaised: z.number().int().nonnegative().optional(),
  allowanceCny: z.number().nonnegative().optional(),
  honoursConfirmed: z.number().int().nonnegative().optional(),
});
export type IncentivesSummary = z.infer<typeof IncentivesSummary>;

/** The facts the service keeps from a personnel `task-completed` event (a task, plus severity when personnel sends it). */
export const CompletedTask = Task.extend({ severity: Severity.optional() });
export type CompletedTask = z.infer<typeof CompletedTask>;

// ── verification ────────────────────────────────────────────────────────────────────────────────────
export const VerifyRequest = z.strictObject({ participantId: Slug.optional() });
export const ChainBreak = z.object({ participantId: Slug, seq: z.number().int(), entryId: z.string().nullable(), reason: z.string() });
export const VerifyResult = z.object({ ok: z.boolean(), participants: z.number().int(), entries: z.number().int(), broken: z.array(ChainBreak) });
export type VerifyResult = z.infer<typeof VerifyResult>;

// ── operator's manual award ─────────────────────────────────────────────────────────────────────────
export const ManualAwardRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  participantId: Slug,
  participantType: ParticipantType,
  points: z.number().int().positive().max(500),
  /** Why (kept in the audit trail); a manual award without a reason is refused. */
  reason: z.string().trim().min(10).max(500),
  operatorId: Slug,
  incidentId: IncidentId.optional(),
  communityId: CommunityId.optional(),
});

// ── catalogue and redemption ────────────────────────────────────────────────────────────────────────
/** An item's name in both languages; refuses other keys, as the restock request carries it. */
const ItemTitle = z.strictObject({ zh: z.string().min(1).max(200), en: z.string().min(1).max(200) });
export const CatalogueItem = z.object({ itemId: Slug, title: ItemTitle, points: z.number().int().positive().max(100_000), stock: z.number().int().nonnegative() });
export type CatalogueItem = z.infer<typeof CatalogueItem>;
export const RestockRequest = z.strictObject({ idempotencyKey: IdempotencyKey, itemId: Slug, title: CatalogueItem.shape.title, points: CatalogueItem.shape.points, add: z.number().int().positive().max(1_000_000) });
export const CatalogueQuery = z.strictObject({});
export const Catalogue = z.object({ items: z.array(CatalogueItem) });
export type Catalogue = z.infer<typeof Catalogue>;
export const RedeemRequest = z.strictObject({ idempotencyKey: IdempotencyKey, participantId: Slug, itemId: Slug, quantity: z.number().int().positive().max(100) });
export const Redemption = z.object({ redemptionId: z.string(), participantId: Slug, itemId: Slug, quantity: z.number().int(), points: z.number().int(), entry: LedgerEntry });
export type Redemption = z.infer<typeof Redemption>;

// ── statement and leaderboards ──────────────────────────────────────────────────────────────────────
export const StatementQuery = z.strictObject({ participantId: Slug, limit: z.number().int().min(1).max(1000).default(100) });
export const Statement = z.object({
  participantId: Slug,
  balance: z.number().int().nonnegative(),
  awarded: z.number().int().nonnegative(),
  redeemed: z.number().int().nonnegative(),
  allowanceCny: z.number().nonnegative(),
  entries: z.array(LedgerEntry),
});
export type Statement = z.infer<typeof Statement>;
export const LeaderboardQuery = atLeastOne(
  z.strictObject({ incidentId: IncidentId.optional(), communityId: CommunityId.optional(), limit: z.number().int().min(1).max(100).default(20) }),
  [['incidentId'], ['communityId']],
  { message: 'name incidentId or communityId', path: ['incidentId'] },
);
export const LeaderboardRow = z.object({ rank: z.number().int().positive(), participantId: Slug, points: z.number().int(), awards: z.number().int() });
export const Leaderboard = z.object({ incidentId: IncidentId.optional(), communityId: CommunityId.optional(), leaders: z.array(LeaderboardRow) });

// ── honours ─────────────────────────────────────────────────────────────────────────────────────────
export const HonourKind = z.enum(['model-individual', 'model-family', 'caring-enterprise', 'advanced-social-organisation']);
export type HonourKind = z.infer<typeof HonourKind>;
export const HonourCandidatesRequest = z.strictObject({
  incidentId: IncidentId,
  /** Donations delivered in the incident (from the supplies service's figures), per donor. */
  donations: z.array(z.strictObject({ donorId: Slug, donorType: z.enum(['enterprise', 'social-organisation', 'resident']), units: z.number().int().positive() })).max(10_000).default([]),
  /** Households (from the roster) whose members may form a model family. */
  households: z.array(z.strictObject({ householdId: Slug, memberIds: z.array(Slug).min(1).max(50) })).max(10_000).default([]),
  /** Candidates per honour kind. */
  limit: z.number().int().min(1).max(50).default(5),
});
export const HonourCandidate = z.object({
  kind: HonourKind,
  /** The participant (a person, a household, an enterprise or an organisation). */
  participantId: Slug,
  score: z.number().nonnegative(),
  figures: z.object({ hours: z.number().nonnegative(), tasks: z.number().int().nonnegative(), points: z.number().int(), donatedUnits: z.number().int().nonnegative(), members: z.number().int().nonnegative() }),
  reason: z.string(),
});
export type HonourCandidate = z.infer<typeof HonourCandidate>;
export const HonourCandidates = z.object({ incidentId: IncidentId, candidates: z.array(HonourCandidate), rulesVersion: z.string() });
export type HonourCandidates = z.infer<typeof HonourCandidates>;
export const ConfirmHonourRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  kind: HonourKind,
  participantId: Slug,
  operatorId: Slug,
  citation: z.string().trim().min(1).max(500),
});
export const Honour = z.object({ honourId: z.string(), incidentId: IncidentId, kind: HonourKind, participantId: Slug, operatorId: Slug, citation: z.string(), entry: LedgerEntry });
export type Honour = z.infer<typeof Honour>;

// ── fraud checks ────────────────────────────────────────────────────────────────────────────────────
export const FlagKind = z.enum(['duplicate-task', 'wrong-participant', 'unverified-task', 'outside-area', 'outside-time', 'implausible-hours']);
export type FlagKind = z.infer<typeof FlagKind>;
export const Flag = z.object({
  flagId: z.string(),
  kind: FlagKind,
  incidentId: IncidentId.optional(),
  participantId: Slug.optional(),
  taskId: z.string().optional(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  raisedAt: z.iso.datetime(),
});
export type Flag = z.infer<typeof Flag>;
export const FlagsQuery = atLeastOne(
  z.strictObject({ incidentId: IncidentId.optional(), participantId: Slug.optional(), limit: z.number().int().min(1).max(1000).default(100) }),
  [['incidentId'], ['participantId']],
  { message: 'name incidentId or participantId', path: ['incidentId'] },
);
export const Flags = z.object({ flags: z.array(Flag) });

export const incentives = {
  award: endpoint('incentives', 'award', 'Settle the points for a task the service has seen completed, once per cause.', AwardRequest, LedgerEntry),
  balance: endpoint('incentives', 'balance', 'A participant’s points balance.', BalanceQuery, Balance),
  summary: endpoint('incentives', 'summary', 'Points awarded in an incident.', IncidentQuery, IncentivesSummary),
  verify: endpoint('incentives', 'verify', 'Recompute hash chains (one participant or all) and name every broken entry.', VerifyRequest, VerifyResult),
  manualAward: endpoint('incentives', 'manual-award', 'An operator’s award with a reason, written to the audit trail.', ManualAwardRequest, LedgerEntry),
  restock: endpoint('incentives', 'restock', 'Add a catalogue item or stock to it.', RestockRequest, CatalogueItem),
  catalogue: endpoint('incentives', 'catalogue', 'Items points can be redeemed for, with stock.', CatalogueQuery, Catalogue),
  redeem: endpoint('incentives', 'redeem', 'Redeem points for catalogue items; never overdraws a balance or oversells stock.', RedeemRequest, Redemption),
  statement: endpoint('incentives', 'statement', 'A participant’s statement: totals and entries.', StatementQuery, Statement),
  leaderboard: endpoint('incentives', 'leaderboard', 'Most points in an incident or a community.', LeaderboardQuery, Leaderboard),
  honourCandidates: endpoint('incentives', 'honour-candidates', 'Honour candidates for an incident from its figures.', HonourCandidatesRequest, HonourCandidates),
  confirmHonour: endpoint('incentives', 'confirm-honour', 'An operator confirms an honour; the ledger credits its points.', ConfirmHonourRequest, Honour),
  flags: endpoint('incentives', 'flags', 'Fraud checks raised for an incident or a participant.', FlagsQuery, Flags),
} as const;

export const incentivesEvents = {
  awarded: event('incentives', 'points-awarded', 'Points were credited to a participant.', LedgerEntry),
  redeemed: event('incentives', 'points-redeemed', 'Points were redeemed for catalogue items.', Redemption),
  honourConfirmed: event('incentives', 'honour-confirmed', 'An operator confirmed an honour.', Honour),
  flagged: event('incentives', 'award-flagged', 'A fraud check flagged an award or a claim.', Flag),
} as const;
