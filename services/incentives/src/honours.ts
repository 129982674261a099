import type { z } from 'zod';
import { incentivesEvents, LifelineError, type incentives, type incentivesContract, type RequestOf } from '@lifeline/contracts';
import { isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { toLedgerEntry, type Awards } from './awards';
import { honourCandidates, type ParticipantWork } from './domain/honours';
import { causes } from './domain/ledger';
import type { RuleTable } from './domain/rules';
import { completionModel } from './model/completion';
import { entryIdFor } from './model/ledger';
import { honourModel, proposalModel, type HonourDoc } from './model/records';

type CandidatesRequest = z.infer<typeof incentivesContract.HonourCandidatesRequest>;
type ConfirmRequest = RequestOf<typeof incentives.confirmHonour>;

/**
 * Honours at review: candidates from the incident's verified work (completions), the points it earned, and the
 * donations and households the caller brings from supplies and the roster. Every proposal is kept, and only a
 * proposed candidate can be confirmed; confirmation credits the honour's points once.
 */
export function createHonours(ctx: ServiceContext, rules: RuleTable, awards: Awards) {
  const completions = completionModel(ctx.db);
  const proposals = proposalModel(ctx.db);
  const honours = honourModel(ctx.db);

  /** Each participant's verified hours and tasks in the incident, with the points their tasks earned. */
  async function workIn(incidentId: string): Promise<ParticipantWork[]> {
    const [done, awarded] = await Promise.all([completions.find({ incidentId }).lean(), awards.ledger.find({ incidentId, kind: 'award' })]);
    const byId = new Map<string, ParticipantWork>();
    const row = (participantId: string, participantType: string) => byId.get(participantId) ?? byId.set(participantId, { participantId, participantType, hours: 0, tasks: 0, points: 0 }).get(participantId)!;
    for (const e of awarded) {
      const r = row(e.participantId, String(e.basis?.participantType ?? 'resident-volunteer'));
      r.points += e.points;
      r.participantType = String(e.basis?.participantType ?? r.participantType);
    }
    for (const c of done) {
      const r = row(c.ownerId, byId.get(c.ownerId)?.participantType ?? 'resident-volunteer');
      r.hours += c.hours;
      r.tasks += 1;
    }
    return [...byId.values()];
  }

  async function candidates(req: CandidatesRequest): Promise<incentivesContract.HonourCandidates> {
    const input = { work: await workIn(req.incidentId), donations: req.donations, households: req.households, limit: req.limit };
    const found = honourCandidates(rules, input);
    const typeOf = new Map(input.work.map((w) => [w.participantId, w.participantType]));
    for (const c of found) {
      const participantType = c.kind === 'caring-enterprise' ? 'enterprise' : c.kind === 'advanced-social-organisation' ? 'social-organisation' : (typeOf.get(c.participantId) ?? 'resident-volunteer');
      await proposals.updateOne(
        { _id: `${req.incidentId}:${c.kind}:${c.participantId}` },
        { $set: { incidentId: req.incidentId, kind: c.kind, participantId: c.participantId, participantType, score: c.score, proposedAt: new Date() } },
        { upsert: true },
      );
    }
    return { incidentId: req.incidentId, candidates: found, rulesVersion: rules.version };
  }

  function toHonour(h: HonourDoc, entry: incentivesContract.LedgerEntry): incentivesContract.Honour {
    return { honourId: h._id, incidentId: h.incidentId, kind: h.kind as incentivesContract.HonourKind, participantId: h.participantId, operatorId: h.operatorId, citation: h.citation, entry };
  }

  async function confirm(req: ConfirmRequest): Promise<incentivesContract.Honour> {
    const honourId = `${req.incidentId}:${req.kind}:${req.participantId}`;
    const proposal = await proposals.findById(honourId).lean();
    if (!proposal) throw new LifelineError('invalid_state', `${req.participantId} was not proposed for ${req.kind} in ${req.incidentId}; ask for honour-candidates first`, { honourId });
    const rule = rules.honours?.[req.kind];
    if (!rule) throw new LifelineError('invalid_state', `rules ${rules.version} grant no ${req.kind}`, { rulesVersion: rules.version });
    const cause = causes.honour(req.incidentId, req.kind, req.participantId);
    const doc: HonourDoc = { _id: honourId, incidentId: req.incidentId, kind: req.kind, participantId: req.participantId, operatorId: req.operatorId, citation: req.citation, entryId: entryIdFor('points', cause), confirmedAt: new Date() };
    await honours.create(doc).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
    const honour = (await honours.findById(honourId).lean())!;
    await awards.writeAudit({ _id: `confirm-honour:${honourId}`, action: 'confirm-honour', operatorId: honour.operatorId, reason: honour.citation, participantId: req.participantId, incidentId: req.incidentId, entryId: honour.entryId, points: rule.points, at: honour.confirmedAt });
    const { entry } = await awards.ledger.append(req.participantId, cause, {
      participantId: req.participantId,
      kind: 'award',
      points: rule.points,
      cause,
      incidentId: req.incidentId,
      idempotencyKey: `honour:${honourId}`,
      basis: { honour: req.kind, participantType: proposal.participantType, operatorId: honour.operatorId, rulesVersion: rules.version },
    });
    const result = toHonour(honour, toLedgerEntry(entry));
    await ctx.events.publish(incentivesEvents.honourConfirmed, honourId, result, req.incidentId);
    await ctx.events.publish(incentivesEvents.awarded, result.entry.entryId, result.entry, req.incidentId);
    return result;
  }

  return { candidates, confirm, confirmedIn: (incidentId: string) => honours.countDocuments({ incidentId }) };
}
