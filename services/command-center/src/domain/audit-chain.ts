import { createHash } from 'node:crypto';
import type { AuditBreak } from '@lifeline/contracts/http/command-center';

/** The `prevHash` of the chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * An entry's id from its place in the chain. The store's unique `_id` index therefore is the unique index on the
 * sequence: two writers that both take seq n collide on `audit-<n>` and one of them appends after the other.
 */
export const auditId = (seq: number) => `audit-${String(seq).padStart(12, '0')}`;

/** What an entry's hash covers: everything it says (subject and detail as stored, i.e. sealed) and its link. */
export interface ChainedFields {
  seq: number;
  id: string;
  at: Date;
  subject: string | null;
  role: string | null;
  action: string;
  target: string;
  detail: string | null;
  prevId: string | null;
  prevHash: string;
}

export interface ChainedEntry extends ChainedFields {
  hash: string;
}

/** The newest entry of the chain as a writer knows it (seq 0: nothing chained yet). */
export interface ChainHead {
  seq: number;
  id: string | null;
  hash: string;
}

export const EMPTY_CHAIN: ChainHead = { seq: 0, id: null, hash: GENESIS_HASH };

/**
 * The canonical serialization: a JSON array in a fixed order, led by a format tag, so field boundaries are
 * unambiguous and no key order or optional-field question arises. `at` as ISO 8601 (the store keeps milliseconds).
 */
export function canonicalEntry(f: ChainedFields): string {
  return JSON.stringify(['lifeline-audit-1', f.seq, f.id, f.at.toISOString(), f.subject, f.role, f.action, f.target, f.detail, f.prevId, f.prevHash]);
}

/** SHA-256 (hex) of the canonical serialization. */
export const entryHash = (f: ChainedFields) => createHash('sha256').update(canonicalEntry(f), 'utf8').digest('hex');

/** The entry that follows `head`. */
export function chainNext(head: ChainHead, f: Omit<ChainedFields, 'seq' | 'id' | 'prevId' | 'prevHash'>): ChainedEntry {
  const seq = head.seq + 1;
  const fields: ChainedFields = { ...f, seq, id: auditId(seq), prevId: head.id, prevHash: head.hash };
  return { ...fields, hash: entryHash(fields) };
}

export const headOf = (e: Pick<ChainedEntry, 'seq' | 'id' | 'hash'>): ChainHead => ({ seq: e.seq, id: e.id, hash: e.hash });

/**
 * Walks stored entries in seq order (ties by id) and names the first that does not follow from the ones before it:
 * a gap is a deleted entry (its id follows from its seq), a repeated or foreign seq or id an inserted
 * one, a hash that does not match the contents an edited one, and a link that does not match the previous entry's
 * hash an edited previous entry whose hash was recomputed.
 */
export class ChainWalk {
  private head: ChainHead = EMPTY_CHAIN;
  private walked = 0;
  private first: AuditBreak | null = null;

  /** Feed the next stored entry; returns false once the chain is broken (later entries prove nothing). */
  add(e: ChainedEntry): boolean {
    if (this.first) return false;
    this.walked++;
    this.first = this.check(e);
    if (!this.first) this.head = headOf(e);
    return this.first === null;
  }

  private check(e: ChainedEntry): AuditBreak | null {
    const expected = this.head.seq + 1;
    if (e.seq < expected) return { kind: 'inserted', seq: e.seq, id: e.id, reason: `seq ${e.seq} again after ${this.head.id ?? 'the start'}` };
    if (e.seq > expected) return { kind: 'deleted', seq: expected, id: auditId(expected), reason: `no entry holds seq ${expected}; the next is ${e.id} (seq ${e.seq})` };
    if (e.id !== auditId(e.seq)) return { kind: 'inserted', seq: e.seq, id: e.id, reason: `id ${e.id} is not the id of seq ${e.seq}` };
    if (e.hash !== entryHash(e)) return { kind: 'edited', seq: e.seq, id: e.id, reason: 'hash does not match the entry’s contents' };
    if (e.prevHash !== this.head.hash || e.prevId !== this.head.id) {
      if (this.head.id === null) return { kind: 'edited', seq: e.seq, id: e.id, reason: 'the first entry does not start from the genesis hash' };
      return { kind: 'edited', seq: this.head.seq, id: this.head.id, reason: `${e.id} links to another version of it (its hash was recomputed)` };
    }
    return null;
  }

  /** The first break, or null. */
  get broken(): AuditBreak | null {
    return this.first;
  }

  get entries(): number {
    return this.walked;
  }

  /** The newest entry that follows from the chain (null when none does). */
  get newest(): ChainHead | null {
    return this.head.seq === 0 ? null : this.head;
  }
}

/**
 * A head recorded earlier (`<seq>:<hash>`) must still be in the chain: removing the newest entries leaves no gap
 * for the walk to see, so only a head kept elsewhere catches it.
 */
export function checkRecordedHead(recorded: { seq: number; hash: string }, atSeq: ChainedEntry | undefined, newest: ChainHead | null): AuditBreak | null {
  if (!atSeq) return { kind: 'deleted', seq: recorded.seq, id: auditId(recorded.seq), reason: `the recorded head seq ${recorded.seq} is gone; the chain ends at seq ${newest?.seq ?? 0}` };
  if (atSeq.hash !== recorded.hash) return { kind: 'edited', seq: recorded.seq, id: atSeq.id, reason: 'the entry at the recorded head has another hash now' };
  return null;
}
