/**
 * Where a hold on a lot stands. A hold belongs to a reservation, or to a transfer holding stock at its source lot.
 * It only moves forward: held → issued → returned, or held → released (never both issued and released). The names
 * sort in that order, so a hold's state is written with `$max` by `_id` alone: a late or repeated write can never move
 * a hold back, and the store needs no condition on the state (on the local store any filter beyond `_id` scans the
 * collection, and holds are its largest).
 */
export type HoldState = 'held' | 'issued' | 'returned' | 'released';

/** A holder's claim on one lot: the reservation (or transfer) id, the units and their state. */
export interface Hold {
  holderId: string;
  quantity: number;
  state: HoldState;
}

/**
 * The stock of one lot, the truth about it. `quantity` is on the shelf, `available` is on the shelf and promised to
 * nobody, `held` is promised and still on the shelf, `issued` is handed out and not back.
 * Invariant: quantity = available + held, all ≥ 0; held = Σ held holds, issued = Σ issued holds.
 */
export interface LotCounters {
  quantity: number;
  available: number;
  held: number;
  issued: number;
}

export type HoldMove = 'issue' | 'return' | 'release';

/** Each move: the hold state it starts from, the one it ends in, and how the counters change per unit. */
export const HOLD_MOVES: Record<HoldMove, { from: HoldState; to: HoldState; perUnit: LotCounters }> = {
  issue: { from: 'held', to: 'issued', perUnit: { quantity: -1, available: 0, held: -1, issued: 1 } },
  return: { from: 'issued', to: 'returned', perUnit: { quantity: 1, available: 1, held: 0, issued: -1 } },
  release: { from: 'held', to: 'released', perUnit: { quantity: 0, available: 1, held: -1, issued: 0 } },
};

/** Something asked of one lot: promise up to `wanted` units to a holder, or move a holder's hold. */
export type StockRequest = { kind: 'take'; holderId: string; wanted: number } | { kind: 'move'; holderId: string; move: HoldMove };

/** What one batch of requests does to a lot: the counter increments, the holds it writes, one result per request. */
export interface StockDecision {
  inc: LotCounters;
  /** Every hold the batch creates or moves, in its new state (the commit's journal). */
  writes: Hold[];
  /** take: the units the holder holds now; move: whether this request moved the hold. */
  results: (number | boolean)[];
}

const ZERO: LotCounters = { quantity: 0, available: 0, held: 0, issued: 0 };

/**
 * Decide a batch of requests against a lot's counters, in order, as one change. `holdOf` is what is known about each
 * holder's hold before the batch. A holder holds a lot at most once: a take for a holder that already holds (a retried
 * reservation) changes nothing and reports the earlier hold, and a move applies only to a hold in the move's starting
 * state, so a repeated request never counts twice. A take never promises more than is available.
 */
export function decideStock(stock: LotCounters, requests: readonly StockRequest[], holdOf: (holderId: string) => Hold | undefined): StockDecision {
  const inc = { ...ZERO };
  const written = new Map<string, Hold>();
  const current = (holderId: string) => written.get(holderId) ?? holdOf(holderId);
  const results = requests.map((req): number | boolean => {
    const hold = current(req.holderId);
    if (req.kind === 'take') {
      if (hold) return hold.quantity;
      const take = Math.min(Math.max(req.wanted, 0), stock.available + inc.available);
      if (take <= 0) return 0;
      inc.available -= take;
      inc.held += take;
      written.set(req.holderId, { holderId: req.holderId, quantity: take, state: 'held' });
      return take;
    }
    const rule = HOLD_MOVES[req.move];
    if (!hold || hold.state !== rule.from) return false;
    for (const k of Object.keys(inc) as (keyof LotCounters)[]) inc[k] += rule.perUnit[k] * hold.quantity;
    written.set(req.holderId, { ...hold, state: rule.to });
    return true;
  });
  return { inc, writes: [...written.values()], results };
}

/** Nothing to write: every request was answered from what is already there. */
export const changesNothing = (d: StockDecision) => d.writes.length === 0;

/**
 * A commit's journal as one string, `<holderId>:<state>:<quantity>;…`: a lot document carrying 1,000 small objects
 * costs ~34 ms per read or write on the local store, the same packed into one string ~4 ms.
 */
export function packHolds(holds: readonly Hold[]): string {
  return holds
    .map((h) => {
      if (/[:;]/.test(h.holderId)) throw new Error(`holder id ${h.holderId} cannot be journaled (contains ':' or ';')`);
      return `${h.holderId}:${h.state}:${h.quantity}`;
    })
    .join(';');
}

const STATES = new Set<string>(['held', 'issued', 'returned', 'released']);

/** The holds a packed journal names (an empty or missing journal names none). */
export function unpackHolds(journal: string | undefined): Hold[] {
  if (!journal) return [];
  return journal.split(';').map((entry) => {
    const [holderId, state, quantity] = entry.split(':');
    if (!holderId || !state || !STATES.has(state) || !/^\d+$/.test(quantity ?? '')) throw new Error(`malformed journal entry "${entry}"`);
    return { holderId, state: state as HoldState, quantity: Number(quantity) };
  });
}
