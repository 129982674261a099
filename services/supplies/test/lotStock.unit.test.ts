import { holdStock, moveHold, type LotStock } from '../src/domain/lotStock';

const fresh = (n: number): LotStock => ({ quantity: n, available: n, holds: [] });
const invariant = (s: LotStock) => s.quantity - s.holds.filter((h) => h.state === 'held').reduce((t, h) => t + h.quantity, 0);

describe('holding stock', () => {
  it('takes what is wanted when the lot has it', () => {
    const { next, result } = holdStock(fresh(10), 'r1', 4);
    expect(result).toBe(4);
    expect(next).toEqual({ quantity: 10, available: 6, holds: [{ reservationId: 'r1', quantity: 4, state: 'held' }] });
  });

  it('takes only what is available, never more', () => {
    const { next, result } = holdStock({ quantity: 10, available: 3, holds: [] }, 'r1', 5);
    expect(result).toBe(3);
    expect(next?.available).toBe(0);
  });

  it('changes nothing when the lot is empty or nothing is wanted', () => {
    expect(holdStock({ quantity: 10, available: 0, holds: [] }, 'r1', 5)).toEqual({ next: null, result: 0 });
    expect(holdStock(fresh(10), 'r1', 0)).toEqual({ next: null, result: 0 });
  });

  it('a retried reservation finds its earlier hold and takes nothing more', () => {
    const once = holdStock(fresh(10), 'r1', 4).next!;
    expect(holdStock(once, 'r1', 4)).toEqual({ next: null, result: 4 });
  });
});

describe('moving holds through the lifecycle', () => {
  const held = holdStock(fresh(10), 'r1', 4).next!;

  it('issue takes the units off the shelf; available stays as promised', () => {
    const issued = moveHold(held, 'r1', 'issue').next!;
    expect(issued).toMatchObject({ quantity: 6, available: 6 });
    expect(issued.holds[0]!.state).toBe('issued');
    expect(invariant(issued)).toBe(issued.available);
  });

  it('return puts issued units back on the shelf and makes them available', () => {
    const returned = moveHold(moveHold(held, 'r1', 'issue').next!, 'r1', 'return').next!;
    expect(returned).toMatchObject({ quantity: 10, available: 10 });
    expect(returned.holds[0]!.state).toBe('returned');
  });

  it('release makes held units available again without touching quantity', () => {
    const released = moveHold(held, 'r1', 'release').next!;
    expect(released).toMatchObject({ quantity: 10, available: 10 });
  });

  it('repeating a move, or a move from the wrong state, changes nothing', () => {
    const issued = moveHold(held, 'r1', 'issue').next!;
    expect(moveHold(issued, 'r1', 'issue')).toEqual({ next: null, result: false });
    expect(moveHold(issued, 'r1', 'release')).toEqual({ next: null, result: false });
    expect(moveHold(held, 'r1', 'return')).toEqual({ next: null, result: false });
    expect(moveHold(held, 'other', 'issue')).toEqual({ next: null, result: false });
  });
});
