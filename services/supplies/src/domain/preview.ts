import { fefoOrder, type LotCandidate } from './eligibility';

/** A lot as a dry run sees it: its facts and the units available now. */
export interface PreviewLot extends LotCandidate {
  itemCode: string;
}

export interface Draw {
  lotId: string;
  depotId: string;
  quantity: number;
}

/**
 * Units a reservation line would take from `lots` (first-expiry-first-out over the community's chain, as `reserve`
 * takes them; expired and damaged lots never), drawing from `pool` (units still available per lot id, changed in
 * place) when given, else from each lot's `available` as a drill does (holding nothing, so every line sees the same stock).
 */
export function drawLine(quantity: number, lots: readonly PreviewLot[], rank: ReadonlyMap<string, number>, today: string, pool?: Map<string, number>): Draw[] {
  const draws: Draw[] = [];
  let remaining = quantity;
  const seen = lots.map((l) => ({ ...l, available: pool ? (pool.get(l.id) ?? l.available) : l.available }));
  for (const lot of fefoOrder(seen, rank, today)) {
    if (remaining <= 0) break;
    const got = Math.min(remaining, lot.available);
    if (got <= 0) continue;
    draws.push({ lotId: lot.id, depotId: lot.depotId, quantity: got });
    pool?.set(lot.id, lot.available - got);
    remaining -= got;
  }
  return draws;
}

/** Units drawn, summed. */
export const drawn = (draws: readonly Draw[]) => draws.reduce((n, d) => n + d.quantity, 0);
