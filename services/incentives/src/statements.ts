import type { incentivesContract } from '@lifeline/contracts';
import { toLedgerEntry } from './awards';
import type { LedgerStore } from './model/ledger';

/** Verify one participant's chain, or every chain; name each broken entry (participant, seq, entry id, why). */
export async function verifyLedger(ledger: LedgerStore, participantId?: string): Promise<incentivesContract.VerifyResult> {
  const reports = participantId ? [await ledger.verify(participantId)] : await ledger.verifyAll();
  return {
    ok: reports.every((r) => r.ok),
    participants: reports.length,
    entries: reports.reduce((n, r) => n + r.entries, 0),
    broken: reports.filter((r) => !r.ok).map((r) => ({ participantId: r.participantId, seq: r.firstBrokenSeq!, entryId: r.firstBrokenEntryId, reason: r.reason! })),
  };
}

/** A participant's statement: balance, totals awarded and redeemed, allowances, and the newest entries. */
export async function statementOf(ledger: LedgerStore, participantId: string, limit: number): Promise<incentivesContract.Statement> {
  const [head, entries] = await Promise.all([ledger.head(participantId), ledger.find({ participantId })]);
  entries.sort((a, b) => a.seq - b.seq);
  return {
    participantId,
    balance: head.balance,
    awarded: entries.filter((e) => e.points > 0 && e.kind === 'award').reduce((n, e) => n + e.points, 0),
    redeemed: -entries.filter((e) => e.kind === 'redeem').reduce((n, e) => n + e.points, 0),
    allowanceCny: entries.reduce((n, e) => n + (e.allowanceCny ?? 0), 0),
    entries: entries.slice(-limit).map(toLedgerEntry),
  };
}
