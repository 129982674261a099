import type { suppliesContract } from '@lifeline/contracts';
import { fefoOrder, type LotCandidate } from './eligibility';

type GeoPoint = suppliesContract.GeoPoint;
type TransferStatus = suppliesContract.Transfer['status'];
type DonationStatus = suppliesContract.DonationRequest['status'];

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface DepotNode {
  id: string;
  parentId?: string | undefined;
  location?: GeoPoint | undefined;
}

/** Steps from one depot to another through their nearest common ancestor; Infinity when they share none. */
export function hierarchyHops(from: string, to: string, depots: ReadonlyMap<string, DepotNode>): number {
  const up = (id: string) => {
    const path = new Map<string, number>();
    for (let at: string | undefined = id, n = 0; at !== undefined && !path.has(at); at = depots.get(at)?.parentId, n++) path.set(at, n);
    return path;
  };
  const mine = up(from);
  let best = Number.POSITIVE_INFINITY;
  for (const [id, n] of up(to)) {
    const m = mine.get(id);
    if (m !== undefined) best = Math.min(best, m + n);
  }
  return best;
}

/** How near a depot is to the community's stockpile: kilometres when both have a location, hops otherwise. */
export interface Nearness {
  km?: number | undefined;
  hops: number;
}
export function nearness(from: DepotNode | undefined, to: DepotNode, depots: ReadonlyMap<string, DepotNode>): Nearness {
  if (!from) return { hops: Number.POSITIVE_INFINITY };
  const km = from.location && to.location ? distanceKm(from.location, to.location) : undefined;
  return { km, hops: hierarchyHops(from.id, to.id, depots) };
}
/** Located depots first by distance, then by hops, then by id. */
export function compareNearness(a: Nearness & { id: string }, b: Nearness & { id: string }): number {
  const ka = a.km ?? Number.POSITIVE_INFINITY;
  const kb = b.km ?? Number.POSITIVE_INFINITY;
  return ka - kb || (a.hops === b.hops ? 0 : a.hops < b.hops ? -1 : 1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface Missing {
  itemCode: string;
  missing: number;
}
export interface StockOffer extends LotCandidate {
  itemCode: string;
}
export interface ProposedTransfer {
  itemCode: string;
  quantity: number;
  fromDepotId: string;
  fromLotId: string;
  distanceKm?: number | undefined;
}

/**
 * Transfers that would cover what is missing from the nearest depots that have usable stock: depots in nearness
 * order, within a depot first-expiry-first-out. Lots of `excluded` depots (the community's own chain, already drawn
 * on) are never proposed. Returns the proposals and what they still leave missing.
 */
export function proposeTransfers(
  missing: readonly Missing[],
  offers: readonly StockOffer[],
  near: ReadonlyMap<string, Nearness>,
  excluded: ReadonlySet<string>,
  today: string,
): { transfers: ProposedTransfer[]; remaining: Missing[] } {
  const transfers: ProposedTransfer[] = [];
  const remaining: Missing[] = [];
  const unreachable: Nearness = { hops: Number.POSITIVE_INFINITY };
  for (const { itemCode, missing: wanted } of missing) {
    let left = wanted;
    const usable = offers.filter((o) => o.itemCode === itemCode && !excluded.has(o.depotId) && o.available > 0);
    const depotOrder = [...new Set(usable.map((o) => o.depotId))].sort((a, b) => compareNearness({ id: a, ...(near.get(a) ?? unreachable) }, { id: b, ...(near.get(b) ?? unreachable) }));
    for (const depotId of depotOrder) {
      for (const lot of fefoOrder(usable.filter((o) => o.depotId === depotId), new Map(), today)) {
        if (left <= 0) break;
        const quantity = Math.min(left, lot.available);
        transfers.push({ itemCode, quantity, fromDepotId: depotId, fromLotId: lot.id, distanceKm: near.get(depotId)?.km });
        left -= quantity;
      }
    }
    if (left > 0) remaining.push({ itemCode, missing: left });
  }
  return { transfers, remaining };
}

export interface EnterpriseCandidate {
  id: string;
  categories: readonly string[];
  districtIds?: readonly string[] | undefined;
  location?: GeoPoint | undefined;
}

/**
 * The enterprises to ask for an item, best first: those that supply the item's category, serving the community's
 * district before those serving anywhere (no district list) and those serving elsewhere not at all; then nearest.
 */
export function rankEnterprises(category: string, districtId: string | undefined, origin: GeoPoint | undefined, enterprises: readonly EnterpriseCandidate[]): EnterpriseCandidate[] {
  const serves = (e: EnterpriseCandidate) => (e.districtIds === undefined ? 1 : districtId !== undefined && e.districtIds.includes(districtId) ? 0 : 2);
  const km = (e: EnterpriseCandidate) => (origin && e.location ? distanceKm(origin, e.location) : Number.POSITIVE_INFINITY);
  return enterprises
    .filter((e) => e.categories.includes(category) && serves(e) < 2)
    .sort((a, b) => serves(a) - serves(b) || km(a) - km(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Which status a transfer may move to from which (approved holds stock, dispatched takes it off the shelf). */
export const TRANSFER_MOVES: Record<Exclude<TransferStatus, 'proposed'>, readonly TransferStatus[]> = {
  approved: ['proposed'],
  dispatched: ['approved'],
  received: ['dispatched'],
  rejected: ['proposed'],
  cancelled: ['proposed', 'approved'],
};
export const DONATION_MOVES: Record<Exclude<DonationStatus, 'requested'>, readonly DonationStatus[]> = {
  pledged: ['requested'],
  received: ['requested', 'pledged'],
  declined: ['requested', 'pledged'],
  cancelled: ['requested', 'pledged'],
};
export const canMove = <S extends string>(moves: Record<string, readonly S[]>, from: S, to: string): boolean => (moves[to] ?? []).includes(from);
