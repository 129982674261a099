import { incentives, incentivesEvents, type incentivesContract } from '@lifeline/contracts';
import type { Handlers, ServiceContext } from '@lifeline/platform';
import { loadIncentivesConfig } from './config';
import { causeKey } from './domain/ledger';
import { pointsForTask, RULE_TABLES } from './domain/rules';
import { summarise } from './domain/standings';
import type { EntryDoc } from './model/entry';
import { ledgerStore } from './model/ledger';

/** The contract's view of a stored entry (no audit fields, no chain internals). */
export function toLedgerEntry(e: EntryDoc): incentivesContract.LedgerEntry {
  return {
    entryId: e._id,
    participantId: e.participantId,
    ...(e.incidentId === undefined ? {} : { incidentId: e.incidentId }),
    kind: e.kind,
    points: e.points,
    balance: e.balance,
    cause: e.cause,
    hash: e.hash,
  };
}

export async function createHandlers(ctx: ServiceContext): Promise<Handlers<typeof incentives>> {
  const rules = RULE_TABLES[loadIncentivesConfig().INCENTIVES_RULES_VERSION];
  const ledger = ledgerStore(ctx.db);
  return {
    async award(req) {
      const computed = pointsForTask(rules, req);
      const { entry, created } = await ledger.append({
        participantId: req.participantId,
        kind: 'award',
        points: computed.points,
        cause: causeKey(req.cause),
        incidentId: req.incidentId,
        idempotencyKey: req.idempotencyKey,
        basis: { rulesVersion: computed.rulesVersion, participantType: computed.participantType, severity: req.severity, hours: req.hours, capped: computed.capped },
      });
      const result = toLedgerEntry(entry);
      // A repeat re-publishes the first entry under the same id, so JetStream drops it if the first publish landed.
      await ctx.events.publish(incentivesEvents.awarded, result.entryId, result, result.incidentId);
      ctx.log.info({ participantId: result.participantId, cause: result.cause, points: result.points, created }, created ? 'points awarded' : 'award repeated');
      return result;
    },
    async balance({ participantId }) {
      const head = await ledger.head(participantId);
      return { participantId, balance: head.balance, entries: head.seq };
    },
    async summary({ incidentId }) {
      return summarise(incidentId, await ledger.tallies(incidentId));
    },
  };
}
