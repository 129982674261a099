import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import { LifelineError } from '@lifeline/contracts';
import { createHash } from 'node:crypto';
import { isDuplicateKey } from '@lifeline/platform';
import { chainNext, EMPTY_HEAD, verifyChain, type ChainHead, type EntryKind, type VerifyReport } from '../domain/ledger';
import { ledgerEntryModel, type EntryDoc, type LedgerName } from './entry';
import { participantHeadModel } from './head';

export interface AppendDraft {
  participantId: string;
  kind: EntryKind;
  points: number;
  cause: string;
  incidentId?: string;
  communityId?: string;
  day?: string;
  allowanceCny?: number;
  idempotencyKey: string;
  basis?: EntryDoc['basis'];
}

/**
 * A draft, or a function that drafts the entry from the head it will follow: it runs again after every lost
 * race, so anything it reads about the participant's chain (e.g. points earned today, for a daily cap) is
 * never stale by the time the entry is inserted.
 */
export type Drafting = AppendDraft | ((head: ChainHead) => Promise<AppendDraft>);

export interface AppendResult {
  entry: EntryDoc;
  /** False when the cause had already been credited and the first entry is returned. */
  created: boolean;
}

/** Concurrent appends for one participant race on (participantId, seq); the loser re-reads the head and retries. */
const MAX_APPEND_ATTEMPTS = 200;

export type LedgerStore = ReturnType<typeof ledgerStore>;

/** An entry's id follows from its cause, so a repeat finds the first entry by id (and two cannot coexist). */
export function entryIdFor(ledger: LedgerName, cause: string): string {
  return `${ledger === 'points' ? 'led' : 'stk'}-${createHash('sha256').update(cause).digest('hex').slice(0, 32)}`;
}

/**
 * The ledger without transactions: read the head → insert entry seq+1 (unique (participantId, seq) and
 * unique cause decide races) → advance the head with a conditional update on the expected seq. An entry
 * whose head was never advanced (a crash in between) is folded into the head by the next reader.
 */
export function ledgerStore(db: Connection, ledger: LedgerName = 'points') {
  const entries = ledgerEntryModel(db, ledger);
  const heads = participantHeadModel(db, ledger);

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
  async function repeatOf(prior: EntryDoc, draft: { participantId: string; cause: string }): Promise<AppendResult> {
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

  async function append(participantId: string, cause: string, drafting: Drafting): Promise<AppendResult> {
    const entryId = entryIdFor(ledger, cause);
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      // By id first (an exact _id is the one query FerretDB answers without a scan); by cause for entries with older ids.
      const prior = (await entries.findById(entryId).lean()) ?? (attempt > 0 ? await entries.findOne({ cause }).lean() : null);
      if (prior) return repeatOf(prior, { participantId, cause });
      await createHeadIfMissing(participantId);
      const head = await settledHead(participantId);
      const draft = typeof drafting === 'function' ? await drafting(head) : drafting;
      const next = chainNext(head, draft);
      const doc: EntryDoc = { _id: entryId, ...draft, seq: next.seq, prevHash: next.prevHash, hash: next.hash, balance: next.balance, createdAt: new Date() };
      try {
        await entries.create(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await rejectReusedKey(draft);
        await sleep(Math.floor(Math.random() * 5 * Math.min(attempt + 1, 20)));
        continue;
      }
      await advanceHead(draft.participantId, head.seq, next);
      return { entry: doc, created: true };
    }
    throw new LifelineError('unavailable', `ledger of ${participantId} is too busy; retry`);
  }

  /** Entries in seq order, after `afterSeq`. */
  async function list(participantId: string, opts: { afterSeq: number; limit: number }): Promise<EntryDoc[]> {
    return entries
      .find({ participantId, seq: { $gt: opts.afterSeq } })
      .sort({ seq: 1 })
      .limit(opts.limit)
      .lean();
  }

  /**
   * Recompute the chain from genesis, then hold it against the stored head: a head beyond the last entry means
   * entries were deleted from the end (an orphan past the head is a crash, folded in by the next append).
   */
  async function verify(participantId: string): Promise<VerifyReport> {
    const chain = await entries.find({ participantId }).sort({ seq: 1 }).lean();
    const report = verifyChain(participantId, chain);
    const head = await heads.findById(participantId).lean();
    if (!report.ok || !head || head.seq <= chain.length) return report;
    return { ...report, ok: false, firstBrokenSeq: chain.length + 1, firstBrokenEntryId: null, reason: `entries after seq ${chain.length} are missing (the head is at seq ${head.seq})` };
  }

  /** Every participant with a head or an entry (a head without entries, or entries without a head, are both checked). */
  async function participants(): Promise<string[]> {
    const [withHead, withEntries] = await Promise.all([heads.find({}, { _id: 1 }).lean(), entries.distinct('participantId')]);
    return [...new Set([...withHead.map((h) => h._id), ...(withEntries as string[])])].sort();
  }

  /** Entries matching a filter (award tallies, statements); read whole and grouped in code, see README. */
  async function find(filter: Partial<Pick<EntryDoc, 'incidentId' | 'communityId' | 'kind' | 'participantId' | 'day'>>): Promise<EntryDoc[]> {
    return entries.find(filter).lean();
  }

  return { append, head: settledHead, list, verify, participants, find };
}
