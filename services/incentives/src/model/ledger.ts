import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import { LifelineError } from '@lifeline/contracts';
import { isDuplicateKey, newId } from '@lifeline/platform';
import { chainNext, EMPTY_HEAD, verifyChain, type ChainHead, type EntryKind, type VerifyReport } from '../domain/ledger';
import { tallyByParticipant, type ParticipantTally } from '../domain/standings';
import { ledgerEntryModel, type EntryDoc } from './entry';
import { participantHeadModel } from './head';

export interface AppendDraft {
  participantId: string;
  kind: EntryKind;
  points: number;
  cause: string;
  incidentId?: string;
  idempotencyKey: string;
  basis?: EntryDoc['basis'];
}

export interface AppendResult {
  entry: EntryDoc;
  /** False when the cause had already been credited and the first entry is returned. */
  created: boolean;
}

/** Concurrent appends for one participant race on (participantId, seq); the loser re-reads the head and retries. */
const MAX_APPEND_ATTEMPTS = 25;

export type LedgerStore = ReturnType<typeof ledgerStore>;

/**
 * The ledger without transactions: read the head → insert entry seq+1 (unique (participantId, seq) and
 * unique cause decide races) → advance the head with a conditional update on the expected seq. An entry
 * whose head was never advanced (a crash in between) is folded into the head by the next reader.
 */
export function ledgerStore(db: Connection) {
  const entries = ledgerEntryModel(db);
  const heads = participantHeadModel(db);

  async function storedHead(participantId: string): Promise<ChainHead> {
    const head = await heads.findById(participantId).lean();
    return head ? { seq: head.seq, hash: head.hash, balance: head.balance } : EMPTY_HEAD;
  }

  async function createHeadIfMissing(participantId: string): Promise<void> {
    if (await heads.exists({ _id: participantId })) return;
    try {
      await heads.create({ _id: participantId, ...EMPTY_HEAD });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  async function advanceHead(participantId: string, expectedSeq: number, to: ChainHead): Promise<void> {
    await heads.updateOne({ _id: participantId, seq: expectedSeq }, { $set: { seq: to.seq, hash: to.hash, balance: to.balance } });
  }

  /** The head after folding in any entry that was inserted but whose head update never happened. */
  async function settledHead(participantId: string): Promise<ChainHead> {
    let head = await storedHead(participantId);
    for (;;) {
      const orphan = await entries.findOne({ participantId, seq: head.seq + 1 }).lean();
      if (!orphan) return head;
      if (orphan.prevHash !== head.hash) throw new LifelineError('internal', `ledger of ${participantId} does not link at seq ${orphan.seq}`);
      const next = { seq: orphan.seq, hash: orphan.hash, balance: orphan.balance };
      await advanceHead(participantId, head.seq, next);
      head = next;
    }
  }

  /** A repeat of a credited cause: the first entry, provided it was for the same participant and key space. */
  async function repeatOf(prior: EntryDoc, draft: AppendDraft): Promise<AppendResult> {
    if (prior.participantId !== draft.participantId) {
      throw new LifelineError('conflict', `${draft.cause} was already credited to another participant`, { cause: draft.cause, entryId: prior._id });
    }
    await settledHead(prior.participantId);
    return { entry: prior, created: false };
  }

  async function rejectReusedKey(draft: AppendDraft): Promise<void> {
    const byKey = await entries.findOne({ idempotencyKey: draft.idempotencyKey }).lean();
    if (byKey && byKey.cause !== draft.cause) {
      throw new LifelineError('conflict', 'idempotencyKey was already used for a different cause', { idempotencyKey: draft.idempotencyKey, cause: byKey.cause });
    }
  }

  async function append(draft: AppendDraft): Promise<AppendResult> {
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      const prior = await entries.findOne({ cause: draft.cause }).lean();
      if (prior) return repeatOf(prior, draft);
      await createHeadIfMissing(draft.participantId);
      const head = await settledHead(draft.participantId);
      const next = chainNext(head, draft);
      const doc: EntryDoc = { _id: newId('led'), ...draft, seq: next.seq, prevHash: next.prevHash, hash: next.hash, balance: next.balance, createdAt: new Date() };
      try {
        await entries.create(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await rejectReusedKey(draft);
        await sleep(Math.floor(Math.random() * 10 * (attempt + 1)));
        continue;
      }
      await advanceHead(draft.participantId, head.seq, next);
      return { entry: doc, created: true };
    }
    throw new LifelineError('unavailable', `ledger of ${draft.participantId} is too busy; retry`);
  }

  /** Entries in seq order, after `afterSeq`. */
  async function list(participantId: string, opts: { afterSeq: number; limit: number }): Promise<EntryDoc[]> {
    return entries
      .find({ participantId, seq: { $gt: opts.afterSeq } })
      .sort({ seq: 1 })
      .limit(opts.limit)
      .lean();
  }

  async function verify(participantId: string): Promise<VerifyReport> {
    const chain = await entries.find({ participantId }).sort({ seq: 1 }).lean();
    return verifyChain(participantId, chain);
  }

  /**
   * Awards in an incident, grouped per participant. Grouped here rather than with `$group`: FerretDB 1.24
   * answers every accumulator after the first with 0.
   */
  async function tallies(incidentId: string): Promise<ParticipantTally[]> {
    const awards = await entries.find({ incidentId, kind: 'award' }, { _id: 0, participantId: 1, points: 1 }).lean();
    return tallyByParticipant(awards);
  }

  return { append, head: settledHead, list, verify, tallies };
}
