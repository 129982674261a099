import type { suppliesContract } from '@lifeline/contracts';

/** What lot selection needs to know about a lot; `available` is stock not promised to anyone. */
export interface LotCandidate {
  id: string;
  depotId: string;
  expiresOn?: string | undefined;
  condition: suppliesContract.Lot['condition'];
  available: number;
}

export type Unusable = 'expired' | 'damaged' | 'condemned';

/**
 * Why a lot may not be handed out on `today` (YYYY-MM-DD), or null when it may.
 * A lot expiring today is still usable; damaged and condemned stock never is.
 */
export function unusableReason(lot: Pick<LotCandidate, 'expiresOn' | 'condition'>, today: string): Unusable | null {
  if (lot.condition !== 'good') return lot.condition;
  if (lot.expiresOn !== undefined && lot.expiresOn < today) return 'expired';
  return null;
}

/**
 * First-expiry-first-out: the usable lots in the order stock should be taken from them. Earliest expiry first,
 * lots without an expiry date last; ties go to the depot nearest the community (`depotRank`, 0 = its own
 * stockpile), then to the lot id so the order is stable.
 */
export function fefoOrder<L extends LotCandidate>(lots: readonly L[], depotRank: ReadonlyMap<string, number>, today: string): L[] {
  const rank = (l: L) => depotRank.get(l.depotId) ?? Number.MAX_SAFE_INTEGER;
  return lots
    .filter((l) => unusableReason(l, today) === null)
    .sort((a, b) => compareExpiry(a.expiresOn, b.expiresOn) || rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function compareExpiry(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

/** The calendar date (UTC) a reservation is judged on; stored with the reservation so a retry uses the same day. */
export const isoDay = (at: Date): string => at.toISOString().slice(0, 10);

/** A lot a reservation found but could not use, for the after-action review. */
export interface UnusableLot {
  lotId: string;
  depotId: string;
  itemCode: string;
  quantity: number;
  reason: Unusable;
}

/** The lots that may not be handed out on `today`, with why. */
export function unusableLots(lots: readonly (LotCandidate & { itemCode: string; quantity: number })[], today: string): UnusableLot[] {
  return lots.flatMap((l) => {
    const reason = unusableReason(l, today);
    return reason ? [{ lotId: l.id, depotId: l.depotId, itemCode: l.itemCode, quantity: l.quantity, reason }] : [];
  });
}
