import type { suppliesContract } from '@lifeline/contracts';
import { unusableReason } from './eligibility';

type Report = suppliesContract.ReadinessReport;

export interface ReadinessDepot {
  id: string;
  level: string;
  areaId: string;
  parentId?: string | undefined;
  inspectionIntervalDays?: number | undefined;
  lastInspectedOn?: string | undefined;
}
export interface ReadinessLot {
  id: string;
  depotId: string;
  itemCode: string;
  quantity: number;
  available: number;
  expiresOn?: string | undefined;
  condition: suppliesContract.Lot['condition'];
}

const DAY = 86_400_000;
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
export const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The depots of an area: those whose area is `areaId`, and every depot below them. */
export function depotsOfArea(areaId: string, depots: readonly ReadinessDepot[]): ReadinessDepot[] {
  const inArea = new Set(depots.filter((d) => d.areaId === areaId).map((d) => d.id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const d of depots) {
      if (!inArea.has(d.id) && d.parentId !== undefined && inArea.has(d.parentId)) {
        inArea.add(d.id);
        grew = true;
      }
    }
  }
  return depots.filter((d) => inArea.has(d.id));
}

/**
 * A target scaled for a severity: a plan asks for more at level I than at IV. Rounded up; the epsilon keeps
 * 5 × 1.2 = 6.000000000000001 from becoming 7.
 */
export const scaledTarget = (quantity: number, factor: number) => Math.max(0, Math.ceil(quantity * factor - 1e-9));

/** A target from the community's population: per thousand residents, rounded up. */
export const populationTarget = (perThousandResidents: number, population: number) => Math.max(0, Math.ceil((perThousandResidents * population) / 1000 - 1e-9));

/**
 * Readiness of an area on `asOf`: lots expiring within `withinDays` (still usable), lots already expired, damaged or
 * condemned stock, depots whose inspection is overdue (never inspected counts), and community stock below target.
 * Usable stock for a target = available units of good, unexpired lots in the community's own stockpile.
 */
export function readinessReport(input: {
  areaId: string;
  asOf: string;
  withinDays: number;
  defaultIntervalDays: number;
  severityFactor: number;
  depots: readonly ReadinessDepot[];
  lots: readonly ReadinessLot[];
  targets: readonly { communityId: string; itemCode: string; quantity: number }[];
}): Report {
  const area = depotsOfArea(input.areaId, input.depots);
  const inArea = new Set(area.map((d) => d.id));
  const lots = input.lots.filter((l) => inArea.has(l.depotId));
  const report: Report = { areaId: input.areaId, asOf: input.asOf, expiryWithinDays: input.withinDays, depots: area.length, expiring: [], expired: [], condemned: [], overdueInspections: [], belowTarget: [] };
  for (const l of lots) {
    const about = { lotId: l.id, depotId: l.depotId, itemCode: l.itemCode, quantity: l.quantity };
    if (l.condition !== 'good') report.condemned.push({ ...about, condition: l.condition });
    else if (l.expiresOn !== undefined && l.expiresOn < input.asOf) report.expired.push({ ...about, expiresOn: l.expiresOn });
    else if (l.expiresOn !== undefined && daysBetween(input.asOf, l.expiresOn) <= input.withinDays) report.expiring.push({ ...about, expiresOn: l.expiresOn, daysLeft: daysBetween(input.asOf, l.expiresOn) });
  }
  for (const d of area) {
    const dueOn = d.lastInspectedOn ? addDays(d.lastInspectedOn, d.inspectionIntervalDays ?? input.defaultIntervalDays) : undefined;
    if (dueOn === undefined || dueOn < input.asOf) report.overdueInspections.push({ depotId: d.id, ...(d.lastInspectedOn ? { lastInspectedOn: d.lastInspectedOn } : {}), ...(dueOn ? { dueOn } : {}) });
  }
  const communities = new Set(area.filter((d) => d.level === 'community').map((d) => d.areaId));
  if (input.areaId !== undefined && area.length === 0) communities.add(input.areaId);
  const homeDepot = new Map(area.filter((d) => d.level === 'community').map((d) => [d.id, d.areaId]));
  const usable = new Map<string, number>();
  for (const l of lots) {
    const community = homeDepot.get(l.depotId);
    if (community === undefined || unusableReason(l, input.asOf) !== null) continue;
    usable.set(`${community}/${l.itemCode}`, (usable.get(`${community}/${l.itemCode}`) ?? 0) + l.available);
  }
  for (const t of input.targets) {
    if (!communities.has(t.communityId)) continue;
    const target = scaledTarget(t.quantity, input.severityFactor);
    const have = usable.get(`${t.communityId}/${t.itemCode}`) ?? 0;
    if (have < target) report.belowTarget.push({ communityId: t.communityId, itemCode: t.itemCode, target, usable: have, missing: target - have });
  }
  const byId = <T extends { lotId: string }>(a: T, b: T) => (a.lotId < b.lotId ? -1 : 1);
  report.expiring.sort((a, b) => a.daysLeft - b.daysLeft || byId(a, b));
  report.expired.sort(byId);
  report.condemned.sort(byId);
  report.belowTarget.sort((a, b) => b.missing - a.missing || (a.communityId + a.itemCode < b.communityId + b.itemCode ? -1 : 1));
  return report;
}

/** True when the report has anything an operator must act on. */
export const needsAttention = (r: Report) => r.expiring.length + r.expired.length + r.condemned.length + r.overdueInspections.length + r.belowTarget.length > 0;
