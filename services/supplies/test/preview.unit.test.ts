import { drawLine, drawn, type PreviewLot } from '../src/domain/preview';

const today = '2026-12-03';
const lots: PreviewLot[] = [
  { id: 'city-1', depotId: 'depot-city', itemCode: 'tent', condition: 'good', available: 10 },
  { id: 'home-1', depotId: 'depot-c1', itemCode: 'tent', condition: 'good', available: 3, expiresOn: '2027-01-01' },
  { id: 'home-old', depotId: 'depot-c1', itemCode: 'tent', condition: 'good', available: 50, expiresOn: '2026-12-02' },
  { id: 'home-bad', depotId: 'depot-c1', itemCode: 'tent', condition: 'damaged', available: 50 },
];
const rank = new Map([
  ['depot-c1', 0],
  ['depot-city', 2],
]);

describe('a dry-run draw', () => {
  it('takes first-expiry-first-out as reserve does, never from expired or damaged lots', () => {
    expect(drawLine(5, lots, rank, today)).toEqual([
      { lotId: 'home-1', depotId: 'depot-c1', quantity: 3 },
      { lotId: 'city-1', depotId: 'depot-city', quantity: 2 },
    ]);
    expect(drawn(drawLine(100, lots, rank, today))).toBe(13);
  });

  it('without a pool every line sees the same stock (a drill holds nothing); with one, later lines get what is left', () => {
    expect(drawn(drawLine(10, lots, rank, today))).toBe(10);
    expect(drawn(drawLine(10, lots, rank, today))).toBe(10);
    const pool = new Map(lots.map((l) => [l.id, l.available]));
    expect(drawn(drawLine(10, lots, rank, today, pool))).toBe(10);
    expect(drawLine(10, lots, rank, today, pool)).toEqual([{ lotId: 'city-1', depotId: 'depot-city', quantity: 3 }]);
    expect(pool.get('city-1')).toBe(0);
    expect(pool.get('home-old')).toBe(50);
  });
});
