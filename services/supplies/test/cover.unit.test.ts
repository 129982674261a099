import { canMove, compareNearness, distanceKm, hierarchyHops, proposeTransfers, rankEnterprises, TRANSFER_MOVES, DONATION_MOVES, type StockOffer } from '../src/domain/cover';

const today = '2025-06-15';
const offer = (id: string, depotId: string, available: number, over: Partial<StockOffer> = {}): StockOffer => ({ id, depotId, itemCode: 'tent', condition: 'good', available, ...over });

describe('how near a depot is', () => {
  it('measures great-circle distance in kilometres', () => {
    // People's Square to Lujiazui, Shanghai: about 3.2 km.
    expect(distanceKm({ lat: 31.2304, lng: 121.4737 }, { lat: 31.2397, lng: 121.4998 })).toBeCloseTo(2.67, 1);
    expect(distanceKm({ lat: 31, lng: 121 }, { lat: 31, lng: 121 })).toBe(0);
  });

  it('counts hops through the nearest common ancestor, Infinity when unrelated', () => {
    const depots = new Map([
      ['city', { id: 'city' }],
      ['d1', { id: 'd1', parentId: 'city' }],
      ['d2', { id: 'd2', parentId: 'city' }],
      ['c1', { id: 'c1', parentId: 'd1' }],
      ['c2', { id: 'c2', parentId: 'd1' }],
      ['c3', { id: 'c3', parentId: 'd2' }],
      ['lonely', { id: 'lonely' }],
    ]);
    expect(hierarchyHops('c1', 'c2', depots)).toBe(2);
    expect(hierarchyHops('c1', 'c3', depots)).toBe(4);
    expect(hierarchyHops('c1', 'lonely', depots)).toBe(Number.POSITIVE_INFINITY);
  });

  it('ranks located depots by distance before unlocated ones, which go by hops', () => {
    const list = [
      { id: 'far', km: 9, hops: 2 },
      { id: 'unlocated-near', hops: 2 },
      { id: 'close', km: 1, hops: 4 },
      { id: 'unlocated-far', hops: 4 },
    ];
    expect(list.sort(compareNearness).map((d) => d.id)).toEqual(['close', 'far', 'unlocated-near', 'unlocated-far']);
  });
});

describe('transfer proposals for a shortfall', () => {
  const near = new Map([
    ['own', { km: 0, hops: 0 }],
    ['next-door', { km: 1.5, hops: 2 }],
    ['across-town', { km: 12, hops: 4 }],
  ]);

  it('covers what is missing from the nearest depot first, first-expiry-first-out within it', () => {
    const offers = [offer('far-lot', 'across-town', 50), offer('near-late', 'next-door', 4, { expiresOn: '2026-01-01' }), offer('near-early', 'next-door', 3, { expiresOn: '2025-07-01' })];
    const { transfers, remaining } = proposeTransfers([{ itemCode: 'tent', missing: 10 }], offers, near, new Set(['own']), today);
    expect(transfers.map((t) => [t.fromLotId, t.quantity])).toEqual([
      ['near-early', 3],
      ['near-late', 4],
      ['far-lot', 3],
    ]);
    expect(transfers[0]).toMatchObject({ fromDepotId: 'next-door', distanceKm: 1.5 });
    expect(remaining).toEqual([]);
  });

  it('never proposes the community’s own chain, empty, expired or condemned lots, and reports what stays missing', () => {
    const offers = [
      offer('own-lot', 'own', 100),
      offer('empty', 'next-door', 0),
      offer('expired', 'next-door', 9, { expiresOn: '2025-01-01' }),
      offer('condemned', 'next-door', 9, { condition: 'condemned' }),
      offer('good', 'across-town', 2),
      offer('quilts', 'next-door', 50, { itemCode: 'quilt' }),
    ];
    const { transfers, remaining } = proposeTransfers([{ itemCode: 'tent', missing: 5 }], offers, near, new Set(['own']), today);
    expect(transfers).toEqual([{ itemCode: 'tent', quantity: 2, fromDepotId: 'across-town', fromLotId: 'good', distanceKm: 12 }]);
    expect(remaining).toEqual([{ itemCode: 'tent', missing: 3 }]);
  });
});

describe('donation requests to enterprises', () => {
  const enterprises = [
    { id: 'anywhere-medical', categories: ['medical'] },
    { id: 'd1-shelter-far', categories: ['shelter'], districtIds: ['d1'], location: { lat: 31.3, lng: 121.5 } },
    { id: 'd1-shelter-near', categories: ['shelter', 'power'], districtIds: ['d1'], location: { lat: 31.23, lng: 121.47 } },
    { id: 'anywhere-shelter', categories: ['shelter'] },
    { id: 'd2-shelter', categories: ['shelter'], districtIds: ['d2'] },
  ];

  it('asks enterprises of the item’s category serving the district first, nearest first, then those serving anywhere', () => {
    const ranked = rankEnterprises('shelter', 'd1', { lat: 31.23, lng: 121.47 }, enterprises).map((e) => e.id);
    expect(ranked).toEqual(['d1-shelter-near', 'd1-shelter-far', 'anywhere-shelter']);
  });

  it('never asks an enterprise for a category it does not supply, or outside the districts it serves', () => {
    expect(rankEnterprises('food-water', 'd1', undefined, enterprises)).toEqual([]);
    expect(rankEnterprises('shelter', 'd3', undefined, enterprises).map((e) => e.id)).toEqual(['anywhere-shelter']);
  });
});

describe('status changes', () => {
  it('a transfer goes proposed → approved → dispatched → received, and cannot skip or go back', () => {
    expect(canMove(TRANSFER_MOVES, 'proposed', 'approved')).toBe(true);
    expect(canMove(TRANSFER_MOVES, 'approved', 'dispatched')).toBe(true);
    expect(canMove(TRANSFER_MOVES, 'dispatched', 'received')).toBe(true);
    expect(canMove(TRANSFER_MOVES, 'proposed', 'dispatched')).toBe(false);
    expect(canMove(TRANSFER_MOVES, 'dispatched', 'cancelled')).toBe(false);
    expect(canMove(TRANSFER_MOVES, 'received', 'approved')).toBe(false);
  });

  it('a donation can be received with or without a pledge first, and not after it was declined', () => {
    expect(canMove(DONATION_MOVES, 'requested', 'received')).toBe(true);
    expect(canMove(DONATION_MOVES, 'pledged', 'received')).toBe(true);
    expect(canMove(DONATION_MOVES, 'declined', 'received')).toBe(false);
  });
});
