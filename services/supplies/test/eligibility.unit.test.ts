import { fefoOrder, unusableReason, type LotCandidate } from '../src/domain/eligibility';

const lot = (id: string, over: Partial<LotCandidate> = {}): LotCandidate => ({ id, depotId: 'community-depot', condition: 'good', available: 10, ...over });
const rank = new Map([
  ['community-depot', 0],
  ['district-depot', 1],
]);
const today = '2025-06-15';
const ids = (lots: LotCandidate[]) => lots.map((l) => l.id);

describe('which lots may be handed out', () => {
  it('a lot past its expiry date is expired; one expiring today is still usable', () => {
    expect(unusableReason(lot('a', { expiresOn: '2025-06-14' }), today)).toBe('expired');
    expect(unusableReason(lot('a', { expiresOn: '2025-06-15' }), today)).toBeNull();
    expect(unusableReason(lot('a'), today)).toBeNull();
  });

  it('damaged and condemned stock is never usable, even when fresh', () => {
    expect(unusableReason(lot('a', { condition: 'damaged', expiresOn: '2030-01-01' }), today)).toBe('damaged');
    expect(unusableReason(lot('a', { condition: 'condemned' }), today)).toBe('condemned');
  });
});

describe('first-expiry-first-out order', () => {
  it('takes the earliest-expiring lot first and lots without expiry last', () => {
    const lots = [lot('no-expiry'), lot('late', { expiresOn: '2026-01-01' }), lot('early', { expiresOn: '2025-07-01' })];
    expect(ids(fefoOrder(lots, rank, today))).toEqual(['early', 'late', 'no-expiry']);
  });

  it('never offers expired, damaged or condemned lots', () => {
    const lots = [
      lot('expired', { expiresOn: '2025-01-01' }),
      lot('condemned', { condition: 'condemned', expiresOn: '2025-06-20' }),
      lot('damaged', { condition: 'damaged' }),
      lot('good', { expiresOn: '2025-12-01' }),
    ];
    expect(ids(fefoOrder(lots, rank, today))).toEqual(['good']);
  });

  it('breaks an expiry tie in favour of the community’s own depot, then by lot id', () => {
    const lots = [lot('b-district', { depotId: 'district-depot', expiresOn: '2025-09-01' }), lot('z-local', { expiresOn: '2025-09-01' }), lot('a-local', { expiresOn: '2025-09-01' })];
    expect(ids(fefoOrder(lots, rank, today))).toEqual(['a-local', 'z-local', 'b-district']);
  });

  it('prefers an earlier expiry in a parent depot over a later one at home', () => {
    const lots = [lot('home', { expiresOn: '2026-01-01' }), lot('district', { depotId: 'district-depot', expiresOn: '2025-08-01' })];
    expect(ids(fefoOrder(lots, rank, today))).toEqual(['district', 'home']);
  });

  it('does not reorder the caller’s array', () => {
    const lots = [lot('b', { expiresOn: '2026-01-01' }), lot('a', { expiresOn: '2025-08-01' })];
    fefoOrder(lots, rank, today);
    expect(ids(lots)).toEqual(['b', 'a']);
  });
});
