import { decideStock, HOLD_MOVES, packHolds, unpackHolds, type Hold, type LotCounters, type StockRequest } from '../src/domain/lotStock';

const fresh = (n: number): LotCounters => ({ quantity: n, available: n, held: 0, issued: 0 });
const none = () => undefined;
const apply = (s: LotCounters, inc: LotCounters): LotCounters => ({ quantity: s.quantity + inc.quantity, available: s.available + inc.available, held: s.held + inc.held, issued: s.issued + inc.issued });
const take = (holderId: string, wanted: number): StockRequest => ({ kind: 'take', holderId, wanted });
const move = (holderId: string, m: 'issue' | 'return' | 'release'): StockRequest => ({ kind: 'move', holderId, move: m });
const holds = (list: Hold[]) => (id: string) => list.find((h) => h.holderId === id);

describe('holding stock', () => {
  it('takes what is wanted when the lot has it', () => {
    const d = decideStock(fresh(10), [take('r1', 4)], none);
    expect(d.results).toEqual([4]);
    expect(apply(fresh(10), d.inc)).toEqual({ quantity: 10, available: 6, held: 4, issued: 0 });
    expect(d.writes).toEqual([{ holderId: 'r1', quantity: 4, state: 'held' }]);
  });

  it('a batch is decided in order and never promises more than is available', () => {
    const d = decideStock(fresh(10), [take('r1', 4), take('r2', 5), take('r3', 5), take('r4', 1)], none);
    expect(d.results).toEqual([4, 5, 1, 0]);
    expect(apply(fresh(10), d.inc)).toEqual({ quantity: 10, available: 0, held: 10, issued: 0 });
    expect(d.writes.map((h) => [h.holderId, h.quantity])).toEqual([['r1', 4], ['r2', 5], ['r3', 1]]);
  });

  it('changes nothing when the lot is empty or nothing is wanted', () => {
    expect(decideStock({ quantity: 10, available: 0, held: 10, issued: 0 }, [take('r1', 5)], none)).toEqual({ inc: fresh(0), writes: [], results: [0] });
    expect(decideStock(fresh(10), [take('r1', 0)], none)).toEqual({ inc: fresh(0), writes: [], results: [0] });
  });

  it('a retried reservation finds its earlier hold and takes nothing more, in the same batch or a later one', () => {
    expect(decideStock(fresh(10), [take('r1', 4), take('r1', 4)], none)).toMatchObject({ results: [4, 4], writes: [{ holderId: 'r1', quantity: 4 }] });
    expect(decideStock({ quantity: 10, available: 6, held: 4, issued: 0 }, [take('r1', 9)], holds([{ holderId: 'r1', quantity: 4, state: 'held' }]))).toEqual({
      inc: fresh(0),
      writes: [],
      results: [4],
    });
  });
});

describe('moving holds through the lifecycle', () => {
  const held: LotCounters = { quantity: 10, available: 6, held: 4, issued: 0 };
  const r1 = holds([{ holderId: 'r1', quantity: 4, state: 'held' }]);

  it('issue takes the units off the shelf; available stays as promised', () => {
    const d = decideStock(held, [move('r1', 'issue')], r1);
    expect(apply(held, d.inc)).toEqual({ quantity: 6, available: 6, held: 0, issued: 4 });
    expect(d.writes).toEqual([{ holderId: 'r1', quantity: 4, state: 'issued' }]);
  });

  it('return puts issued units back on the shelf and makes them available, in one batch after the issue', () => {
    const d = decideStock(held, [move('r1', 'issue'), move('r1', 'return')], r1);
    expect(d.results).toEqual([true, true]);
    expect(apply(held, d.inc)).toEqual({ quantity: 10, available: 10, held: 0, issued: 0 });
    expect(d.writes).toEqual([{ holderId: 'r1', quantity: 4, state: 'returned' }]);
  });

  it('release makes held units available again without touching quantity', () => {
    expect(apply(held, decideStock(held, [move('r1', 'release')], r1).inc)).toEqual({ quantity: 10, available: 10, held: 0, issued: 0 });
  });

  it('repeating a move, or a move from the wrong state, changes nothing', () => {
    const issued = holds([{ holderId: 'r1', quantity: 4, state: 'issued' }]);
    for (const [m, known] of [['issue', issued], ['release', issued], ['return', r1]] as const) {
      expect(decideStock(held, [move('r1', m)], known)).toEqual({ inc: fresh(0), writes: [], results: [false] });
    }
    expect(decideStock(held, [move('other', 'issue')], r1)).toEqual({ inc: fresh(0), writes: [], results: [false] });
  });

  it('every move keeps quantity = available + held', () => {
    for (const m of Object.values(HOLD_MOVES)) expect(m.perUnit.quantity).toBe(m.perUnit.available + m.perUnit.held);
  });
});

describe('the journal', () => {
  const written: Hold[] = [
    { holderId: 'res-0a1b', quantity: 3, state: 'held' },
    { holderId: 'tr-9f', quantity: 12, state: 'issued' },
    { holderId: 'res-77', quantity: 1, state: 'released' },
  ];

  it('packs a batch of hold writes into one string and back', () => {
    expect(packHolds(written)).toBe('res-0a1b:held:3;tr-9f:issued:12;res-77:released:1');
    expect(unpackHolds(packHolds(written))).toEqual(written);
    expect(unpackHolds(undefined)).toEqual([]);
    expect(unpackHolds('')).toEqual([]);
  });

  it('refuses holder ids it could not read back, and malformed entries', () => {
    expect(() => packHolds([{ holderId: 'a:b', quantity: 1, state: 'held' }])).toThrow();
    expect(() => unpackHolds('res-1:held')).toThrow();
    expect(() => unpackHolds('res-1:lost:2')).toThrow();
  });

  it('hold states sort in the order holds move through them, so writing them with $max never moves a hold back', () => {
    for (const m of Object.values(HOLD_MOVES)) expect(m.from < m.to).toBe(true);
    expect(['returned', 'issued', 'released', 'held'].sort()).toEqual(['held', 'issued', 'released', 'returned']);
  });
});
