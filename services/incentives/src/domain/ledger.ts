import { createHash } from 'node:crypto';
import { LifelineError } from '@lifeline/contracts';

/** The `prevHash` of every participant's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export type EntryKind = 'award' | 'redeem' | 'reverse';

/** The fields an entry's hash covers, in order. */
export interface HashedFields {
  prevHash: string;
  participantId: string;
  seq: number;
  kind: EntryKind;
  points: number;
  cause: string;
  incidentId?: string | undefined;
  /** Hashed when present (entries written before communities were recorded hash without it). */
  communityId?: string | undefined;
}

/** sha256 (hex) over the previous hash and the entry's facts, as a JSON array so field boundaries are unambiguous. */
export function entryHash(f: HashedFields): string {
  const facts: unknown[] = [f.prevHash, f.participantId, f.seq, f.kind, f.points, f.cause, f.incidentId ?? null];
  if (f.communityId !== undefined) facts.push(f.communityId);
  const canonical = JSON.stringify(facts);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** What a participant's chain looks like at its newest entry. */
export interface ChainHead {
  seq: number;
  hash: string;
  balance: number;
  /** Running task totals of the newest task award's work day (for daily caps), carried by the head. */
  day?: string | undefined;
  dayEarned?: number | undefined;
  dayHours?: number | undefined;
}

/** The day totals a head carries after an entry: the entry's own for a task award, else the previous head's. */
export function dayTotalsAfter(head: ChainHead, entry: { day?: string | undefined; dayEarned?: number | undefined; dayHours?: number | undefined }): Pick<ChainHead, 'day' | 'dayEarned' | 'dayHours'> {
  const from = entry.dayEarned === undefined ? head : entry;
  return from.day === undefined ? {} : { day: from.day, dayEarned: from.dayEarned ?? 0, dayHours: from.dayHours ?? 0 };
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH, balance: 0 };

/** The one cause string per piece of verified work; the ledger credits each cause once. */
export function causeKey(cause: { kind: 'task-completed'; taskId: string }): string {
  return `${cause.kind}:${cause.taskId}`;
}

/** Causes of the other entries: an operator's manual award, a confirmed honour, a redemption and its reversal. */
export const causes = {
  manual: (idempotencyKey: string) => `manual:${idempotencyKey}`,
  honour: (incidentId: string, kind: string, participantId: string) => `honour:${incidentId}:${kind}:${participantId}`,
  redeem: (redemptionId: string) => `redeem:${redemptionId}`,
  unredeem: (redemptionId: string) => `unredeem:${redemptionId}`,
  restock: (idempotencyKey: string) => `restock:${idempotencyKey}`,
};

/** Balances never go negative: a debit larger than the balance is refused. */
export function nextBalance(balance: number, points: number): number {
  const next = balance + points;
  if (next < 0) throw new LifelineError('invalid_state', `balance ${balance} cannot cover ${-points} points`, { balance, points });
  return next;
}

export interface ChainedEntry extends HashedFields {
  hash: string;
  balance: number;
  /** The stored entry's id, when it has one (named by verify). */
  _id?: string;
}

/** The entry that follows `head`: next seq, linked to the head's hash, with its running balance. */
export function chainNext(head: ChainHead, f: Omit<HashedFields, 'prevHash' | 'seq'>): ChainedEntry {
  const fields: HashedFields = { ...f, prevHash: head.hash, seq: head.seq + 1 };
  return { ...fields, hash: entryHash(fields), balance: nextBalance(head.balance, f.points) };
}

export interface VerifyReport {
  participantId: string;
  ok: boolean;
  entries: number;
  /** The first seq whose entry does not follow from the ones before it (null when the chain holds). */
  firstBrokenSeq: number | null;
  /** The stored id of the first broken entry (null when the chain holds or the entry is missing). */
  firstBrokenEntryId: string | null;
  reason: string | null;
  balance: number;
}

/** Recompute a participant's chain from genesis (entries sorted by seq) and report the first entry that breaks it. */
export function verifyChain(participantId: string, entries: readonly ChainedEntry[]): VerifyReport {
  let head = EMPTY_HEAD;
  const broken = (seq: number, entry: ChainedEntry | null, reason: string): VerifyReport => ({
    participantId,
    ok: false,
    entries: entries.length,
    firstBrokenSeq: seq,
    firstBrokenEntryId: entry?._id ?? null,
    reason,
    balance: head.balance,
  });
  for (const e of entries) {
    const seq = head.seq + 1;
    if (e.seq !== seq) return broken(seq, e.seq > seq ? null : e, `expected seq ${seq}, found ${e.seq}`);
    if (e.participantId !== participantId) return broken(seq, e, 'entry belongs to another participant');
    if (e.prevHash !== head.hash) return broken(seq, e, 'prevHash does not link to the previous entry');
    if (e.hash !== entryHash(e)) return broken(seq, e, 'hash does not match the entry’s contents');
    if (e.balance !== head.balance + e.points || e.balance < 0) return broken(seq, e, `balance ${e.balance} is not ${head.balance} + ${e.points}`);
    head = { seq, hash: e.hash, balance: e.balance };
  }
  return { participantId, ok: true, entries: entries.length, firstBrokenSeq: null, firstBrokenEntryId: null, reason: null, balance: head.balance };
}
