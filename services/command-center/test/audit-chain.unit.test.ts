import { auditId, ChainWalk, chainNext, checkRecordedHead, EMPTY_CHAIN, entryHash, GENESIS_HASH, headOf, type ChainedEntry } from '../src/domain/audit-chain';

/** A chain of `n` entries as the log appends them. */
function chain(n: number): ChainedEntry[] {
  const entries: ChainedEntry[] = [];
  let head = EMPTY_CHAIN;
  for (let i = 0; i < n; i++) {
    const e = chainNext(head, { at: new Date(Date.UTC(2026, 11, 3, 14, 0, i)), subject: `pii1:sealed-${i}`, role: 'commander', action: 'incident.command.advance', target: `inc-${i}`, detail: `pii1:detail-${i}` });
    entries.push(e);
    head = headOf(e);
  }
  return entries;
}

const walked = (entries: ChainedEntry[]) => {
  const walk = new ChainWalk();
  for (const e of entries) if (!walk.add(e)) break;
  return walk;
};

describe('the audit hash chain', () => {
  it('links each entry to the one before: seq, id, prevId and prevHash, starting from genesis', () => {
    const [a, b] = chain(2);
    expect([a!.seq, a!.id, a!.prevId, a!.prevHash]).toEqual([1, 'audit-000000000001', null, GENESIS_HASH]);
    expect([b!.seq, b!.id, b!.prevId, b!.prevHash]).toEqual([2, auditId(2), a!.id, a!.hash]);
    expect(b!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('an intact chain walks to its head with nothing broken', () => {
    const entries = chain(5);
    const walk = walked(entries);
    expect([walk.broken, walk.entries, walk.newest]).toEqual([null, 5, headOf(entries[4]!)]);
  });

  it('an edited entry is named by seq and id', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, action: 'incident.command.stand-down' };
    expect(walked(entries).broken).toEqual({ kind: 'edited', seq: 3, id: auditId(3), reason: 'hash does not match the entry’s contents' });
  });

  it('an edited entry whose hash was recomputed is named through the next entry’s link', () => {
    const entries = chain(5);
    const { hash: _old, ...fields } = { ...entries[1]!, target: 'inc-other' };
    entries[1] = { ...fields, hash: entryHash(fields) };
    expect(walked(entries).broken).toMatchObject({ kind: 'edited', seq: 2, id: auditId(2) });
  });

  it('a deleted entry is named by the seq and id that are missing', () => {
    const entries = chain(5);
    entries.splice(3, 1);
    expect(walked(entries).broken).toMatchObject({ kind: 'deleted', seq: 4, id: auditId(4) });
  });

  it('an entry inserted with a seq already taken, or an id that is not its seq’s, is named as inserted', () => {
    const entries = chain(4);
    const forged = { ...entries[1]!, id: 'audit-forged', target: 'inc-forged' };
    expect(walked([...entries.slice(0, 2), { ...forged, hash: entryHash(forged) }, ...entries.slice(2)]).broken).toMatchObject({ kind: 'inserted', seq: 2, id: 'audit-forged' });
    const renamed = { ...entries[2]!, id: 'audit-x' };
    expect(walked([entries[0]!, entries[1]!, renamed]).broken).toMatchObject({ kind: 'inserted', seq: 3, id: 'audit-x' });
  });

  it('a first entry that does not start from genesis is edited', () => {
    const [first] = chain(1);
    const moved = { ...first!, prevHash: 'f'.repeat(64) };
    expect(walked([{ ...moved, hash: entryHash(moved) }]).broken).toMatchObject({ kind: 'edited', seq: 1 });
  });

  it('removing the newest entries is caught only against a recorded head', () => {
    const entries = chain(5);
    const walk = walked(entries.slice(0, 3));
    expect(walk.broken).toBeNull();
    expect(checkRecordedHead({ seq: 5, hash: entries[4]!.hash }, undefined, walk.newest)).toMatchObject({ kind: 'deleted', seq: 5, id: auditId(5) });
    expect(checkRecordedHead({ seq: 3, hash: entries[2]!.hash }, entries[2], walk.newest)).toBeNull();
    expect(checkRecordedHead({ seq: 3, hash: entries[1]!.hash }, entries[2], walk.newest)).toMatchObject({ kind: 'edited', seq: 3 });
  });
});
