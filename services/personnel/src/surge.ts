import type { z } from 'zod';
import { LifelineError, notification, personnelEvents, type LocalizedText, type personnelContract } from '@lifeline/contracts';
import { call as request, isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { idFromKey } from '@lifeline/platform/ids';
import { surgeInvitation } from './domain/message';
import type { Roster } from './roster';
import { surgeModels, type SurgeCallDoc } from './model/surge';

type SurgeCallRequest = z.infer<typeof personnelContract.SurgeCallRequest>;
type SurgeAnswerRequest = z.infer<typeof personnelContract.SurgeAnswerRequest>;

const INVITE_CONCURRENCY = 8;
const INVITE_TIMEOUT_MS = 5_000;

export const surgeCallIdFor = (key: string) => idFromKey('surge', key, 24);

/**
 * Surge recruitment: an open call invites the available volunteers qualified for the skill in the named
 * communities (fixed when the call opens); each answers once (`<callId>/<personId>` unique); an acceptance takes
 * a seat `<callId>#<n>` (unique insert, so the quota is never exceeded) and the volunteer joins the incident roster.
 */
export class SurgeDesk {
  private readonly m;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly roster: Roster,
  ) {
    this.m = surgeModels(ctx.db);
  }

  /**
   * Opens the call and invites every invited volunteer through the notification service before answering. A repeat
   * of the same request (a retry after a crash half-way) sends what is missing: each invitation is idempotent by
   * `<callId>:invite:<personId>` in the notification service, so nobody is messaged twice.
   */
  async open(r: SurgeCallRequest): Promise<personnelContract.SurgeCall> {
    const call = await this.record(r);
    await this.invite(call, r.message);
    return this.view(call);
  }

  private async record(r: SurgeCallRequest): Promise<SurgeCallDoc> {
    const callId = surgeCallIdFor(r.idempotencyKey);
    const prior = await this.m.calls.findById(callId).lean<SurgeCallDoc>();
    if (prior) return prior;
    const missing = await this.roster.unknownCommunities(r.communityIds);
    if (missing.length > 0) throw new LifelineError('not_found', 'unknown communities', { communityIds: missing });
    const invited = await this.roster.volunteersFor(r.communityIds, r.skill, new Date().toISOString().slice(0, 10));
    const doc: SurgeCallDoc = { _id: callId, idempotencyKey: r.idempotencyKey, incidentId: r.incidentId, communityIds: r.communityIds, quota: r.quota, invited, drill: r.drill };
    if (r.skill) doc.skill = r.skill;
    try {
      await this.m.calls.create(doc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    return (await this.m.calls.findById(callId).lean<SurgeCallDoc>())!;
  }

  /** One message per invited volunteer, INVITE_CONCURRENCY at a time; a volunteer who left the roster is skipped. */
  private async invite(call: SurgeCallDoc, message: LocalizedText): Promise<void> {
    const text = surgeInvitation(message, call.drill);
    const queue = [...call.invited];
    const lane = async () => {
      for (let personId = queue.shift(); personId !== undefined; personId = queue.shift()) {
        const phone = await this.roster.phoneOf(personId);
        if (phone === undefined) continue;
        const idempotencyKey = `${call._id}:invite:${personId}`;
        await request(this.ctx.nc, notification.direct, { idempotencyKey, incidentId: call.incidentId, recipientId: personId, phone, message: text, drill: call.drill }, { timeoutMs: INVITE_TIMEOUT_MS });
      }
    };
    await Promise.all(Array.from({ length: Math.min(INVITE_CONCURRENCY, queue.length) }, lane));
  }

  async answer(r: SurgeAnswerRequest): Promise<personnelContract.SurgeCall> {
    const call = await this.m.calls.findById(r.callId).lean<SurgeCallDoc>();
    if (!call) throw new LifelineError('not_found', `no surge call ${r.callId}`);
    if (!call.invited.includes(r.personId)) throw new LifelineError('forbidden', 'only an invited volunteer may answer this call');
    const answerId = `${r.callId}/${r.personId}`;
    const existing = await this.m.answers.findById(answerId).lean();
    if (existing && existing.answer !== r.answer) throw new LifelineError('conflict', `already answered ${existing.answer}`);
    if (r.answer === 'accept' && !(await this.seatOf(r.callId, r.personId)) && (await this.seatCount(r.callId)) >= call.quota) throw new LifelineError('conflict', 'the call is filled', { quota: call.quota });
    if (!existing) {
      try {
        await this.m.answers.create({ _id: answerId, callId: r.callId, incidentId: call.incidentId, personId: r.personId, answer: r.answer, ...(call.skill ? { skill: call.skill } : {}) });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    if (r.answer === 'accept') await this.takeSeat(call, r.personId);
    return this.view(call);
  }

  private async seatOf(callId: string, personId: string) {
    return this.m.seats.findOne({ callId, personId }, { _id: 1 }).lean();
  }

  private async seatCount(callId: string): Promise<number> {
    return this.m.seats.countDocuments({ callId });
  }

  /** The first free seat by unique insert; a full call leaves the answer recorded without a seat. */
  private async takeSeat(call: SurgeCallDoc, personId: string): Promise<void> {
    if (await this.seatOf(call._id, personId)) return this.announce(call, personId);
    for (let n = 1; n <= call.quota; n++) {
      try {
        await this.m.seats.create({ _id: `${call._id}#${n}`, callId: call._id, incidentId: call.incidentId, personId, ...(call.skill ? { skill: call.skill } : {}) });
        return this.announce(call, personId);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw new LifelineError('conflict', 'the call is filled', { quota: call.quota });
  }

  private async announce(call: SurgeCallDoc, personId: string): Promise<void> {
    const data = { callId: call._id, incidentId: call.incidentId, personId, ...(call.skill ? { skill: call.skill } : {}) };
    await this.ctx.events.publish(personnelEvents.surgeAccepted, `${call._id}:accepted:${personId}`, data, call.incidentId);
  }

  private async view(call: SurgeCallDoc): Promise<personnelContract.SurgeCall> {
    const answers = await this.m.answers.find({ callId: call._id }, { personId: 1, answer: 1 }).lean();
    const seats = await this.m.seats.find({ callId: call._id }, { personId: 1 }).lean();
    const accepted = seats.map((s) => s.personId).sort();
    const view: personnelContract.SurgeCall = {
      callId: call._id,
      incidentId: call.incidentId,
      communityIds: call.communityIds,
      quota: call.quota,
      invited: [...call.invited].sort(),
      accepted,
      declined: answers.filter((a) => a.answer === 'decline').map((a) => a.personId).sort(),
      status: accepted.length >= call.quota ? 'filled' : 'open',
    };
    if (call.skill) view.skill = call.skill;
    return view;
  }

  async incidentRoster(incidentId: string): Promise<z.infer<typeof personnelContract.IncidentRoster>> {
    const seats = await this.m.seats.find({ incidentId }).sort({ _id: 1 }).lean();
    return { incidentId, volunteers: seats.map((s) => ({ personId: s.personId, callId: s.callId, ...(s.skill ? { skill: s.skill } : {}) })) };
  }
}
