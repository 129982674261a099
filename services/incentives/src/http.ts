import type { Express } from 'express';
import { LeaderboardQuery, LedgerPageQuery, ParticipantParams } from '@lifeline/contracts/http/incentives';
import { parseHttp, route, type ServiceContext } from '@lifeline/platform';
import { toLedgerEntry } from './awards';
import { leaderboard, tallyByParticipant } from './domain/standings';
import { ledgerStore } from './model/ledger';

/** Read-only admin routes: a participant's ledger, its chain verification, an incident's leaderboard. */
export function registerRoutes(app: Express, ctx: ServiceContext): void {
  const ledger = ledgerStore(ctx.db);

  app.get(
    '/v1/ledger/:participantId',
    route(async (req, res) => {
      const { participantId } = parseHttp(ParticipantParams, req.params, 'participant');
      const page = parseHttp(LedgerPageQuery, req.query, 'ledger query');
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
