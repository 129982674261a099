import { incentives } from '@lifeline/contracts';
import type { Handlers, ServiceContext } from '@lifeline/platform';
import { createAwards, toFlag, type Awards } from './awards';
import type { IncentivesEnv } from './config';
import { completionsBacklog } from './consumer';
import { RULE_TABLES } from './domain/rules';
import { leaderboard, reviewFigures, summarise, tallyByParticipant } from './domain/standings';
import { createHonours } from './honours';
import { completionModel } from './model/completion';
import { flagModel } from './model/records';
import { createRedemptions } from './redemptions';
import { statementOf, verifyLedger } from './statements';

export { toLedgerEntry } from './awards';

export interface Incentives {
  handlers: Handlers<typeof incentives>;
  awards: Awards;
}

/** Wire the endpoints: awards and manual awards, the catalogue, honours, and the read side (verify, statements, boards). */
export function buildIncentives(ctx: ServiceContext<IncentivesEnv>): Incentives {
  const rules = RULE_TABLES[ctx.config.INCENTIVES_RULES_VERSION];
  const awards = createAwards(ctx, rules, () => completionsBacklog(ctx));
  const ledger = awards.ledger;
  const redemptions = createRedemptions(ctx, ledger);
  const honours = createHonours(ctx, rules, awards);
  const completions = completionModel(ctx.db);
  const flags = flagModel(ctx.db);

  const handlers: Handlers<typeof incentives> = {
    award: (req) => awards.award(req),
    manualAward: (req) => awards.manualAward(req),
    async balance({ participantId }) {
      const head = await ledger.head(participantId);
      return { participantId, balance: head.balance, entries: head.seq };
    },
    async summary({ incidentId }) {
      const [awarded, done, flagsRaised, honoursConfirmed] = await Promise.all([
        ledger.find({ incidentId, kind: 'award' }),
        completions.find({ incidentId }, { _id: 1, hours: 1 }).lean(),
        flags.countDocuments({ incidentId }),
        honours.confirmedIn(incidentId),
      ]);
      const rows = awarded.map((e) => ({ participantId: e.participantId, points: e.points, participantType: e.basis?.participantType, allowanceCny: e.allowanceCny }));
      // Hours as paid (after the plausibility checks) where the task was settled, as reported where not yet.
      const paidHours = new Map(awarded.map((e) => [e.cause, e.basis?.hours]));
      const volunteerHours = done.reduce((n, c) => n + (paidHours.get(`task-completed:${c._id}`) ?? c.hours), 0);
      return { ...summarise(incidentId, tallyByParticipant(rows)), ...reviewFigures(rows, { volunteerHours, flagsRaised, honoursConfirmed }) };
    },
    verify: ({ participantId }) => verifyLedger(ledger, participantId),
    statement: ({ participantId, limit }) => statementOf(ledger, participantId, limit),
    async leaderboard({ incidentId, communityId, limit }) {
      const awarded = await ledger.find({ kind: 'award', ...(incidentId ? { incidentId } : {}), ...(communityId ? { communityId } : {}) });
      return { ...(incidentId ? { incidentId } : {}), ...(communityId ? { communityId } : {}), leaders: leaderboard(tallyByParticipant(awarded), limit) };
    },
    async flags({ incidentId, participantId, limit }) {
      const found = await flags
        .find({ ...(incidentId ? { incidentId } : {}), ...(participantId ? { participantId } : {}) })
        .sort({ raisedAt: 1 })
        .limit(limit)
        .lean();
      return { flags: found.map(toFlag) };
    },
    restock: (req) => redemptions.restock(req),
    catalogue: () => redemptions.catalogue(),
    redeem: (req) => redemptions.redeem(req),
    honourCandidates: (req) => honours.candidates(req),
    confirmHonour: (req) => honours.confirm(req),
  };
  return { handlers, awards };
}
