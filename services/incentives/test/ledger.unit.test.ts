import { createHash } from 'node:crypto';
import { causeKey, chainNext, EMPTY_HEAD, entryHash, GENESIS_HASH, nextBalance, verifyChain, type ChainedEntry } from '../src/domain/ledger';
import { leaderboard, summarise, tallyByParticipant } from '../src/domain/standings';

const award = (taskId: string, points: number) => ({ participantId: 'p-1', kind: 'award' as const, points, cause: causeKey({ kind: 'task-completed', taskId }), incidentId: 'inc-1' });

function chain(...points: number[]): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  let head = EMPTY_HEAD;
  points.forEach((p, i) => {
    const e = chainNext(head, award(`t-${i + 1}`, p));
    out.push(e);
    head = { seq: e.seq, hash: e.hash, balance: e.balance };
  });
  return out;
}

describe('ledger hashing', () => {
  const fields = { prevHash: GENESIS_HASH, participantId: 'p-1', seq: 1, kind: 'award' as const, points: 20, cause: 'task-completed:t-1', incidentId: 'inc-1' };

  it('is a deterministic sha256 of the entry’s facts', () => {
    expect(entryHash(fields)).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash({ ...fields })).toBe(entryHash(fields));
  });

  it('changes when any hashed fact changes', () => {
    const base = entryHash(fields);
    const variants = [{ prevHash: 'f'.repeat(64) }, { participantId: 'p-2' }, { seq: 2 }, { kind: 'reverse' as const }, { points: 21 }, { cause: 'task-completed:t-2' }, { incidentId: undefined }];
    for (const v of variants) expect(entryHash({ ...fields, ...v })).not.toBe(base);
  });

  it('hashes the community when an entry has one, and hashes older entries without one exactly as before', () => {
    const before = JSON.stringify([GENESIS_HASH, 'p-1', 1, 'award', 20, 'task-completed:t-1', 'inc-1']);
    expect(entryHash(fields)).toBe(createHash('sha256').update(before).digest('hex'));
    expect(entryHash({ ...fields, communityId: 'c-1' })).not.toBe(entryHash(fields));
    expect(entryHash({ ...fields, communityId: 'c-1' })).not.toBe(entryHash({ ...fields, communityId: 'c-2' }));
  });

  it('keeps field boundaries unambiguous', () => {
    expect(entryHash({ ...fields, participantId: 'p-1', cause: 'x:y' })).not.toBe(entryHash({ ...fields, participantId: 'p-1x', cause: ':y' }));
  });

  it('links each entry to the one before it and carries the running balance', () => {
    const [first, second] = chain(20, 30);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, balance: 20 });
    expect(second).toMatchObject({ seq: 2, prevHash: first!.hash, balance: 50 });
  });

  it('never lets a balance go negative', () => {
    expect(nextBalance(10, -10)).toBe(0);
    expect(() => nextBalance(10, -11)).toThrow('cannot cover');
    expect(() => chainNext({ ...EMPTY_HEAD, balance: 5 }, { ...award('t-1', -6), kind: 'redeem' })).toThrow('cannot cover');
  });
});

describe('verifying a chain', () => {
  it('accepts an intact chain and reports its balance', () => {
    expect(verifyChain('p-1', chain(20, 30, 5))).toEqual({ participantId: 'p-1', ok: true, entries: 3, firstBrokenSeq: null, firstBrokenEntryId: null, reason: null, balance: 55 });
    expect(verifyChain('p-1', []).ok).toBe(true);
  });

  it('reports the first entry whose contents were edited, by seq and stored id', () => {
    const entries = chain(20, 30, 5).map((e, i) => ({ ...e, _id: `led-${i + 1}` }));
    entries[1] = { ...entries[1]!, points: 300, balance: 320 };
    expect(verifyChain('p-1', entries)).toMatchObject({ ok: false, firstBrokenSeq: 2, firstBrokenEntryId: 'led-2', reason: expect.stringContaining('hash') });
  });

  it('reports an edit that recomputed the hash as a broken link to the next entry', () => {
    const entries = chain(20, 30, 5);
    const forged = { ...entries[1]!, points: 300, balance: 320 };
    entries[1] = { ...forged, hash: entryHash(forged) };
    expect(verifyChain('p-1', entries)).toMatchObject({ ok: false, firstBrokenSeq: 3, reason: expect.stringContaining('prevHash') });
  });

  it('reports a missing entry as a gap in seq', () => {
    const entries = chain(20, 30, 5);
    entries.splice(1, 1);
    expect(verifyChain('p-1', entries)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
  });

  it('reports a balance that does not add up', () => {
    const entries = chain(20, 30);
    entries[1] = { ...entries[1]!, balance: 999 };
    expect(verifyChain('p-1', entries)).toMatchObject({ ok: false, firstBrokenSeq: 2, reason: expect.stringContaining('balance') });
  });
});

describe('incident standings', () => {
  const tallies = [
    { participantId: 'p-b', points: 40, awards: 2 },
    { participantId: 'p-a', points: 40, awards: 1 },
    { participantId: 'p-c', points: 90, awards: 3 },
  ];

  it('tallies award entries per participant', () => {
    const awards = [
      { participantId: 'p-a', points: 10 },
      { participantId: 'p-b', points: 5 },
      { participantId: 'p-a', points: 30 },
    ];
    expect(tallyByParticipant(awards)).toEqual([
      { participantId: 'p-a', points: 40, awards: 2 },
      { participantId: 'p-b', points: 5, awards: 1 },
    ]);
  });

  it('summarises awards, points and participants', () => {
    expect(summarise('inc-1', tallies)).toEqual({ incidentId: 'inc-1', awards: 6, points: 170, participants: 3 });
    expect(summarise('inc-2', [])).toEqual({ incidentId: 'inc-2', awards: 0, points: 0, participants: 0 });
  });

  it('ranks by points with shared ranks for ties, in a stable order', () => {
    expect(leaderboard(tallies, 10).map((r) => [r.rank, r.participantId])).toEqual([
      [1, 'p-c'],
      [2, 'p-a'],
      [2, 'p-b'],
    ]);
    expect(leaderboard(tallies, 1)).toHaveLength(1);
  });
});
