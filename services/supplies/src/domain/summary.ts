import type { suppliesContract } from '@lifeline/contracts';
import type { UnusableLot } from './eligibility';

type Reservation = suppliesContract.Reservation;
type SuppliesSummary = suppliesContract.SuppliesSummary;
type ItemFigures = NonNullable<SuppliesSummary['byItem']>[string];

const units = (r: Reservation) => r.lines.reduce((s, l) => s + l.reserved, 0);
const missing = (r: Reservation) => r.shortfalls.reduce((s, f) => s + f.missing, 0);
const wasIssued = (r: Reservation) => r.status === 'issued' || r.status === 'returned';

/**
 * Figures for an incident, as flows: `reserved` counts every unit ever reserved, `issued` the units handed out
 * (whether or not they came back), `returned` and `released` the units that went back to stock. The optional parts
 * (per item, shortfall per community and item, unusable lots found, cover proposals) feed the after-action review.
 */
export function summarize(
  incidentId: string,
  reservations: readonly Reservation[],
  extra?: { unusable: readonly UnusableLot[]; transfers: SuppliesSummary['transfers']; donationRequests: SuppliesSummary['donationRequests'] },
): SuppliesSummary {
  const summary: SuppliesSummary = { incidentId, reservations: reservations.length, reserved: 0, issued: 0, returned: 0, released: 0, shortfall: 0, byCommunity: {} };
  const byItem: Record<string, ItemFigures> = {};
  const shortfallByCommunity: Record<string, Record<string, number>> = {};
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
    for (const l of r.lines) {
      const item = (byItem[l.itemCode] ??= { reserved: 0, issued: 0, returned: 0, released: 0, shortfall: 0 });
      item.reserved += l.reserved;
      if (wasIssued(r)) item.issued += l.reserved;
      if (r.status === 'returned') item.returned += l.reserved;
      if (r.status === 'released') item.released += l.reserved;
      item.shortfall += l.requested - l.reserved;
    }
    for (const f of r.shortfalls) {
      const perItem = (shortfallByCommunity[r.communityId] ??= {});
      perItem[f.itemCode] = (perItem[f.itemCode] ?? 0) + f.missing;
    }
  }
  if (!extra) return summary;
  const unusable = [...new Map(extra.unusable.map((u) => [u.lotId, { lotId: u.lotId, depotId: u.depotId, itemCode: u.itemCode, quantity: u.quantity, reason: u.reason }])).values()];
  return { ...summary, byItem, shortfallByCommunity, unusableLots: unusable.sort((a, b) => (a.lotId < b.lotId ? -1 : 1)), transfers: extra.transfers, donationRequests: extra.donationRequests };
}
