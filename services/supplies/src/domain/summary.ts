import type { suppliesContract } from '@lifeline/contracts';

type Reservation = suppliesContract.Reservation;
type SuppliesSummary = suppliesContract.SuppliesSummary;

const units = (r: Reservation) => r.lines.reduce((s, l) => s + l.reserved, 0);
const missing = (r: Reservation) => r.shortfalls.reduce((s, f) => s + f.missing, 0);
const wasIssued = (r: Reservation) => r.status === 'issued' || r.status === 'returned';

/**
 * Figures for an incident, as flows: `reserved` counts every unit ever reserved, `issued` the units handed out
 * (whether or not they came back), `returned` and `released` the units that went back to stock.
 */
export function summarize(incidentId: string, reservations: readonly Reservation[]): SuppliesSummary {
  const summary: SuppliesSummary = { incidentId, reservations: reservations.length, reserved: 0, issued: 0, returned: 0, released: 0, shortfall: 0, byCommunity: {} };
  for (const r of reservations) {
    const u = units(r);
    const community = (summary.byCommunity[r.communityId] ??= { reserved: 0, issued: 0, shortfall: 0 });
    summary.reserved += u;
    community.reserved += u;
    if (wasIssued(r)) {
      summary.issued += u;
      community.issued += u;
    }
    if (r.status === 'returned') summary.returned += u;
    if (r.status === 'released') summary.released += u;
    summary.shortfall += missing(r);
    community.shortfall += missing(r);
  }
  return summary;
}
