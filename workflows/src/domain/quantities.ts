import type { PlanDocument, Severity, StepOf } from '@lifeline/contracts';

/** The supplies service accepts at most this many units per line. */
export const MAX_LINE_QUANTITY = 1_000_000;

export interface ReserveLine {
  itemCode: string;
  quantity: number;
}

/**
 * Units to reserve for one community: max(minimum, ceil(perThousandResidents × population / 1000 × scaling[severity])).
 * Lines that come to zero are dropped (the supplies service refuses empty lines). The tiny epsilon keeps
 * binary floating point (5 × 1.2 = 6.000000000000001) from rounding a whole number up.
 */
export function reserveQuantities(
  items: StepOf<'reserve'>['items'],
  population: number,
  severity: Severity,
  scaling: PlanDocument['severityScaling'],
): ReserveLine[] {
  return items
    .map((item) => {
      const scaled = ((item.perThousandResidents * population) / 1000) * scaling[severity];
      const quantity = Math.min(MAX_LINE_QUANTITY, Math.max(item.minimum, Math.ceil(scaled - 1e-9)));
      return { itemCode: item.itemCode, quantity };
    })
    .filter((line) => line.quantity > 0);
}

/** Places an `open-site` step asks for in one community: its population × the step's capacity share, rounded up. */
export const sitePlaces = (population: number, capacityShare: number): number => Math.ceil(population * capacityShare);
