import { lineFrom, repeatedItems, shortfallsOf } from '../src/domain/reservation';
import { summarize } from '../src/domain/summary';

describe('reservation lines', () => {
  it('a line counts what its lots hold and drops empty takes', () => {
    expect(lineFrom('tent', 10, [{ lotId: 'a', quantity: 6 }, { lotId: 'b', quantity: 0 }])).toEqual({ itemCode: 'tent', requested: 10, reserved: 6, lots: [{ lotId: 'a', quantity: 6 }] });
  });

  it('shortfalls list only what could not be covered', () => {
    const lines = [lineFrom('tent', 10, [{ lotId: 'a', quantity: 6 }]), lineFrom('quilt', 5, [{ lotId: 'b', quantity: 5 }])];
    expect(shortfallsOf(lines)).toEqual([{ itemCode: 'tent', missing: 4 }]);
  });

  it('finds items requested on more than one line', () => {
    expect(repeatedItems([{ itemCode: 'a' }, { itemCode: 'b' }, { itemCode: 'a' }])).toEqual(['a']);
    expect(repeatedItems([{ itemCode: 'a' }])).toEqual([]);
  });
});

describe('incident figures', () => {
  const r = (communityId: string, status: 'reserved' | 'issued' | 'returned' | 'released', reserved: number, missing = 0) => ({
    reservationId: `r-${communityId}-${status}`,
    incidentId: 'inc-1',
    communityId,
    status,
    lines: [{ itemCode: 'tent', requested: reserved + missing, reserved, lots: [] }],
    shortfalls: missing ? [{ itemCode: 'tent', missing }] : [],
  });

  it('counts units as flows: reserved ever, issued ever, returned and released back', () => {
    const s = summarize('inc-1', [r('c1', 'reserved', 5, 2), r('c1', 'issued', 3), r('c2', 'returned', 4), r('c2', 'released', 6, 1)]);
    expect(s).toMatchObject({ incidentId: 'inc-1', reservations: 4, reserved: 18, issued: 7, returned: 4, released: 6, shortfall: 3 });
    expect(s.byCommunity).toEqual({ c1: { reserved: 8, issued: 3, shortfall: 2 }, c2: { reserved: 10, issued: 4, shortfall: 1 } });
  });

  it('an incident without reservations has zero figures', () => {
    expect(summarize('inc-1', [])).toEqual({ incidentId: 'inc-1', reservations: 0, reserved: 0, issued: 0, returned: 0, released: 0, shortfall: 0, byCommunity: {} });
  });
});
