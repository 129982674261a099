import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import { LifelineError } from '@lifeline/contracts';
import { isDuplicateKey } from '@lifeline/platform';
import { idFromKey } from '@lifeline/platform/ids';
import { chainNext, dayTotalsAfter, EMPTY_HEAD, verifyChain, type ChainHead, type VerifyReport } from '../domain/ledger';
import { ledgerEntryModel, type EntryDoc, type LedgerName } from './entry';
import { participantHeadModel } from './head';

/** What a caller writes of an entry; its id, sequence, balance, hashes and time are the chain's. */
export type AppendDraft = Omit<EntryDoc, '_id' | 'seq' | 'balance' | 'prevHash' | 'hash' | 'createdAt'>;

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

/** A chain that verifies but is shorter than its head lost entries from its end. */
function againstHead(report: VerifyReport, length: number, headSeq: number | undefined): VerifyReport {
  if (!report.ok || headSeq === undefined || headSeq <= length) return report;
  return { ...report, ok: false, firstBrokenSeq: length + 1, firstBrokenEntryId: null, reason: `entries after seq ${length} are missing (the head is at seq ${headSeq})` };
}

/** An entry's id follows from its cause, so a repeat finds the first entry by id (and two cannot coexist). */
export function entryIdFor(ledger: LedgerName, cause: string): string {
  return idFromKey(ledger === 'points' ? 'led' : 'stk', cause, 32);
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
    return head ? { seq: head.seq, hash: head.hash, balance: head.balance, ...dayTotalsAfter(head, {}) } : EMPTY_HEAD;
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
    await heads.updateOne({ _id: participantId, seq: expectedSeq }, { $set: { seq: to.seq, hash: to.hash, balance: to.balance, ...dayTotalsAfter(to, {}) } });
  }

  /** The head after folding in any entry that was inserted but whose head update never happened. */
  async function settledHead(participantId: string): Promise<ChainHead> {
    let head = await storedHead(participantId);
    for (;;) {
      const orphan = await entries.findOne({ participantId, seq: head.seq + 1 }).lean();
      if (!orphan) return head;
      if (orphan.prevHash !== head.hash) throw new LifelineError('internal', `ledger of ${participantId} does not link at seq ${orphan.seq}`);
      const next = { seq: orphan.seq, hash: orphan.hash, balance: orphan.balance, ...dayTotalsAfter(head, orphan) };
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

  /**
   * Appends to one chain queue up inside this process, so its own callers do not race each other through
   * retries; the unique (participantId, seq) insert still decides between processes (replicas).
   */
  const queues = new Map<string, Promise<unknown>>();
  function append(participantId: string, cause: string, drafting: Drafting): Promise<AppendResult> {
    const previous = queues.get(participantId) ?? Promise.resolve();
    const mine = previous.then(
      () => appendRacing(participantId, cause, drafting),
      () => appendRacing(participantId, cause, drafting),
    );
    queues.set(participantId, mine);
    const forget = () => {
      if (queues.get(participantId) === mine) queues.delete(participantId);
    };
    mine.then(forget, forget);
    return mine;
  }

  async function appendRacing(participantId: string, cause: string, drafting: Drafting): Promise<AppendResult> {
    const entryId = entryIdFor(ledger, cause);
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      // By id first (an exact _id is the one query FerretDB answers without a scan); by cause for entries with older ids.
      const prior = (await entries.findById(entryId).lean()) ?? (attempt > 0 ? await entries.findOne({ cause }).lean() : null);
      if (prior) return repeatOf(prior, { participantId, cause });
      await createHeadIfMissing(participantId);
      // First try on the stored head (reads by _id only); after a lost race, fold in what the head missed (a scan).
      const settled = attempt > 0;
      const head = settled ? await settledHead(participantId) : await storedHead(participantId);
      const draft = typeof drafting === 'function' ? await drafting(head) : drafting;
      let next;
      try {
        next = chainNext(head, draft);
      } catch (err) {
        if (settled) throw err;
        continue; // a stale head may understate the balance: decide on the settled head
      }
      const doc: EntryDoc = { _id: entryId, ...draft, seq: next.seq, prevHash: next.prevHash, hash: next.hash, balance: next.balance, createdAt: new Date() };
      try {
        await entries.create(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await rejectReusedKey(draft);
        await sleep(Math.floor(Math.random() * 5 * Math.min(attempt + 1, 20)));
        continue;
      }
      await advanceHead(draft.participantId, head.seq, { seq: next.seq, hash: next.hash, balance: next.balance, ...dayTotalsAfter(head, doc) });
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
    const head = await heads.findById(participantId).lean();
    return againstHead(verifyChain(participantId, chain), chain.length, head?.seq);
  }

  /** Every chain at once: one read of all entries and heads (a query per participant would scan the store each time). */
  async function verifyAll(): Promise<VerifyReport[]> {
    const [all, allHeads] = await Promise.all([entries.find({}).sort({ participantId: 1, seq: 1 }).lean(), heads.find({}).lean()]);
    const chains = new Map<string, EntryDoc[]>();
    for (const h of allHeads) chains.set(h._id, []);
    for (const e of all) (chains.get(e.participantId) ?? chains.set(e.participantId, []).get(e.participantId)!).push(e);
    const seqOf = new Map(allHeads.map((h) => [h._id, h.seq]));
    return [...chains].sort(([a], [b]) => a.localeCompare(b)).map(([participantId, chain]) => againstHead(verifyChain(participantId, chain), chain.length, seqOf.get(participantId)));
  }

  /** Entries matching a filter (award tallies, statements); read whole and grouped in code, see README. */
  async function find(filter: Partial<Pick<EntryDoc, 'incidentId' | 'communityId' | 'kind' | 'participantId' | 'day'>>): Promise<EntryDoc[]> {
    return entries.find(filter).lean();
  }

  return { append, head: settledHead, list, verify, verifyAll, find };
}
