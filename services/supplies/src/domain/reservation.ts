import type { suppliesContract } from '@lifeline/contracts';

type Reservation = suppliesContract.Reservation;
import type { HoldMove } from './lotStock';

export type ReservationLine = Reservation['lines'][number];
export type Shortfall = Reservation['shortfalls'][number];
export type LifecycleStatus = Reservation['status'];

/** The lifecycle after `reserved`: which status each command needs, which it leaves, and what it does to holds. */
export const COMMANDS: Record<HoldMove, { from: LifecycleStatus; to: LifecycleStatus }> = {
  issue: { from: 'reserved', to: 'issued' },
  return: { from: 'issued', to: 'returned' },
  release: { from: 'reserved', to: 'released' },
};

/** What could not be covered, one entry per short item. */
export function shortfallsOf(lines: readonly ReservationLine[]): Shortfall[] {
  return lines.filter((l) => l.reserved < l.requested).map((l) => ({ itemCode: l.itemCode, missing: l.requested - l.reserved }));
}

/** Item codes requested on more than one line (a reservation holds each lot once, so lines must not share items). */
export function repeatedItems(lines: readonly { itemCode: string }[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const l of lines) (seen.has(l.itemCode) ? repeated : seen).add(l.itemCode);
  return [...repeated];
}

/** The reservation line for one item from the lots that ended up holding stock for it. */
export function lineFrom(itemCode: string, requested: number, lots: { lotId: string; quantity: number }[]): ReservationLine {
  const taken = lots.filter((l) => l.quantity > 0);
  return { itemCode, requested, reserved: taken.reduce((s, l) => s + l.quantity, 0), lots: taken };
}
