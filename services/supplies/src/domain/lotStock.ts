/** A reservation's claim on a lot and where it stands. */
export type HoldState = 'held' | 'issued' | 'returned' | 'released';
export interface Hold {
  reservationId: string;
  quantity: number;
  state: HoldState;
}

/** The stock figures of one lot. Invariant: available = quantity − Σ held holds, both ≥ 0. */
export interface LotStock {
  quantity: number;
  available: number;
  holds: Hold[];
}

/** A change to a lot: the next stock (null = nothing to write) and what the caller learns. */
export interface StockChange<T> {
  next: LotStock | null;
  result: T;
}

export const holdOf = (stock: LotStock, reservationId: string): Hold | undefined => stock.holds.find((h) => h.reservationId === reservationId);

/**
 * Promise up to `wanted` units of a lot to a reservation. A reservation holds a lot at most once: if it already
 * does (a retried reservation), nothing changes and the earlier hold is reported, so stock is never taken twice.
 */
export function holdStock(stock: LotStock, reservationId: string, wanted: number): StockChange<number> {
  const existing = holdOf(stock, reservationId);
  if (existing) return { next: null, result: existing.quantity };
  const take = Math.min(Math.max(wanted, 0), stock.available);
  if (take <= 0) return { next: null, result: 0 };
  return {
    next: { quantity: stock.quantity, available: stock.available - take, holds: [...stock.holds, { reservationId, quantity: take, state: 'held' }] },
    result: take,
  };
}

export type HoldMove = 'issue' | 'return' | 'release';

/** Each move: the hold state it starts from, the one it ends in, and how quantity/available change per unit. */
export const HOLD_MOVES: Record<HoldMove, { from: HoldState; to: HoldState; quantity: number; available: number }> = {
  issue: { from: 'held', to: 'issued', quantity: -1, available: 0 },
  return: { from: 'issued', to: 'returned', quantity: 1, available: 1 },
  release: { from: 'held', to: 'released', quantity: 0, available: 1 },
};

/**
 * Move a reservation's hold on a lot. Only a hold in the move's starting state changes, so repeating a move
 * (a retried command) changes nothing.
 */
export function moveHold(stock: LotStock, reservationId: string, move: HoldMove): StockChange<boolean> {
  const rule = HOLD_MOVES[move];
  const hold = holdOf(stock, reservationId);
  if (!hold || hold.state !== rule.from) return { next: null, result: false };
  return {
    next: {
      quantity: stock.quantity + rule.quantity * hold.quantity,
      available: stock.available + rule.available * hold.quantity,
      holds: stock.holds.map((h) => (h === hold ? { ...h, state: rule.to } : h)),
    },
    result: true,
  };
}
