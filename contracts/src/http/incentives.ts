import { z } from 'zod';
import { CommunityId, IncidentId, Slug } from '../common';
import { atLeastOne } from '../rules';

/**
 * Path and query schemas of the incentives service's read-only HTTP routes (`services/incentives/src/http.ts`).
 * Query schemas refuse unknown parameters (a mistyped filter is an error, not a silently wider answer); path
 * parameters are whatever the route pattern names.
 */

/** `:participantId` of `/v1/ledger/:participantId…`. */
export const ParticipantParams = z.object({ participantId: Slug });
/** `GET /v1/ledger/:participantId`: a page of the ledger after a sequence number. */
export const LedgerPageQuery = z.object({ afterSeq: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();
/** `GET /v1/leaderboard`: the leaders of an incident or a community (at least one of them). */
export const LeaderboardQuery = atLeastOne(
  z.strictObject({ incidentId: IncidentId.optional(), communityId: CommunityId.optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }),
  [['incidentId'], ['communityId']],
  { message: 'name incidentId or communityId', path: ['incidentId'] },
);
