import type { Express } from 'express';
import { z } from 'zod';
import { CommunityId, IncidentId, Slug } from '@lifeline/contracts';
import { parseHttp, route, type ServiceContext } from '@lifeline/platform';
import { toLedgerEntry } from './awards';
import { leaderboard, tallyByParticipant } from './domain/standings';
import { ledgerStore } from './model/ledger';

const ParticipantParams = z.object({ participantId: Slug });
const LedgerPage = z.object({ afterSeq: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) });
const LeaderboardQuery = z
  .object({ incidentId: IncidentId.optional(), communityId: CommunityId.optional(), limit: z.coerce.number().int().min(1).max(100).default(20) })
  .refine((q) => Boolean(q.incidentId) || Boolean(q.communityId), { message: 'name incidentId or communityId', path: ['incidentId'] });

/** Read-only admin routes: a participant's ledger, its chain verification, an incident's leaderboard. */
export function registerRoutes(app: Express, ctx: ServiceContext): void {
  const ledger = ledgerStore(ctx.db);

  app.get(
    '/v1/ledger/:participantId',
    route(async (req, res) => {
      const { participantId } = parseHttp(ParticipantParams, req.params, 'participant');
      const page = parseHttp(LedgerPage, req.query, 'ledger query');
      const [head, entries] = await Promise.all([ledger.head(participantId), ledger.list(participantId, page)]);
      res.json({
        participantId,
        balance: head.balance,
        entries: entries.map((e) => ({ ...toLedgerEntry(e), prevHash: e.prevHash, basis: e.basis })),
      });
    }),
  );

  app.get(
    '/v1/ledger/:participantId/verify',
    route(async (req, res) => {
      const { participantId } = parseHttp(ParticipantParams, req.params, 'participant');
      res.json(await ledger.verify(participantId));
    }),
  );

  app.get(
    '/v1/leaderboard',
    route(async (req, res) => {
      const { incidentId, communityId, limit } = parseHttp(LeaderboardQuery, req.query, 'leaderboard query');
      const awarded = await ledger.find({ kind: 'award', ...(incidentId ? { incidentId } : {}), ...(communityId ? { communityId } : {}) });
      res.json({ ...(incidentId ? { incidentId } : {}), ...(communityId ? { communityId } : {}), leaders: leaderboard(tallyByParticipant(awarded), limit) });
    }),
  );
}
