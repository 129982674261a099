import { depotsOfArea, populationTarget, readinessReport, scaledTarget, type ReadinessDepot, type ReadinessLot } from '../src/domain/readiness';

const depots: ReadinessDepot[] = [
  { id: 'city-depot', level: 'city', areaId: 'city', lastInspectedOn: '2025-06-01' },
  { id: 'd1-depot', level: 'district', areaId: 'd1', parentId: 'city-depot', lastInspectedOn: '2025-01-01' },
  { id: 'c1-depot', level: 'community', areaId: 'c1', parentId: 'd1-depot', lastInspectedOn: '2025-05-01', inspectionIntervalDays: 30 },
  { id: 'c2-depot', level: 'community', areaId: 'c2', parentId: 'd1-depot' },
  { id: 'd2-depot', level: 'district', areaId: 'd2', parentId: 'city-depot', lastInspectedOn: '2025-06-10' },
];
const lot = (id: string, depotId: string, over: Partial<ReadinessLot> = {}): ReadinessLot => ({ id, depotId, itemCode: 'medicine-kit', quantity: 10, available: 10, condition: 'good', ...over });
const asOf = '2025-06-15';
const report = (lots: ReadinessLot[], targets: { communityId: string; itemCode: string; quantity: number }[] = [], severityFactor = 1, areaId = 'd1') =>
  readinessReport({ areaId, asOf, withinDays: 30, defaultIntervalDays: 90, severityFactor, depots, lots, targets });

describe('readiness of an area', () => {
  it('an area is its own depots and every depot below them', () => {
    expect(depotsOfArea('d1', depots).map((d) => d.id)).toEqual(['d1-depot', 'c1-depot', 'c2-depot']);
    expect(depotsOfArea('c2', depots).map((d) => d.id)).toEqual(['c2-depot']);
    expect(depotsOfArea('city', depots)).toHaveLength(5);
  });

  it('sorts lots into expiring within N days, expired, and damaged or condemned; other areas are left out', () => {
    const r = report([
      lot('soon', 'c1-depot', { expiresOn: '2025-07-01' }),
      lot('later', 'c1-depot', { expiresOn: '2025-12-01' }),
      lot('gone', 'c2-depot', { expiresOn: '2025-06-01' }),
      lot('broken', 'd1-depot', { condition: 'condemned' }),
      lot('elsewhere', 'd2-depot', { expiresOn: '2025-06-20' }),
    ]);
    expect(r.expiring).toEqual([{ lotId: 'soon', depotId: 'c1-depot', itemCode: 'medicine-kit', quantity: 10, expiresOn: '2025-07-01', daysLeft: 16 }]);
    expect(r.expired.map((l) => l.lotId)).toEqual(['gone']);
    expect(r.condemned).toEqual([{ lotId: 'broken', depotId: 'd1-depot', itemCode: 'medicine-kit', quantity: 10, condition: 'condemned' }]);
    expect(r.depots).toBe(3);
  });

  it('flags inspections past their interval, and depots never inspected', () => {
    const r = report([]);
    expect(r.overdueInspections).toEqual([
      { depotId: 'd1-depot', lastInspectedOn: '2025-01-01', dueOn: '2025-04-01' },
      { depotId: 'c1-depot', lastInspectedOn: '2025-05-01', dueOn: '2025-05-31' },
      { depotId: 'c2-depot' },
    ]);
  });

  it('compares usable stock in the community’s own stockpile with its target, scaled for the severity', () => {
    const lots = [lot('ok', 'c1-depot', { available: 6 }), lot('expired', 'c1-depot', { expiresOn: '2025-01-01', available: 50 }), lot('upstream', 'd1-depot', { available: 100 })];
    const targets = [
      { communityId: 'c1', itemCode: 'medicine-kit', quantity: 5 },
      { communityId: 'c2', itemCode: 'medicine-kit', quantity: 2 },
      { communityId: 'c9', itemCode: 'medicine-kit', quantity: 2 },
    ];
    expect(report(lots, targets).belowTarget).toEqual([{ communityId: 'c2', itemCode: 'medicine-kit', target: 2, usable: 0, missing: 2 }]);
    expect(report(lots, targets, 2).belowTarget).toEqual([
      { communityId: 'c1', itemCode: 'medicine-kit', target: 10, usable: 6, missing: 4 },
      { communityId: 'c2', itemCode: 'medicine-kit', target: 4, usable: 0, missing: 4 },
    ]);
  });
});

describe('scaling targets', () => {
  it('scales by severity and rounds up without floating-point surprises', () => {
    expect(scaledTarget(5, 1.2)).toBe(6);
    expect(scaledTarget(5, 1.5)).toBe(8);
    expect(scaledTarget(0, 2)).toBe(0);
  });

  it('derives a target from population per thousand residents, rounded up', () => {
    expect(populationTarget(2.5, 4000)).toBe(10);
    expect(populationTarget(2.5, 4001)).toBe(11);
    expect(populationTarget(0, 4000)).toBe(0);
  });
});
