import { LifelineError, type suppliesContract } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import type { z } from 'zod';
import { isoDay, unusableReason } from '../domain/eligibility';
import { drawLine, drawn, type PreviewLot } from '../domain/preview';
import { chooseSites } from '../domain/sites';
import { findByIds } from '../model/docs';
import { siteModel } from '../model/sites';
import type { Stores } from '../model/stores';
import type { coverHandlers } from './cover';

type PreviewRequest = z.infer<typeof suppliesContract.PreviewRequest>;
type Preview = suppliesContract.Preview;

/**
 * A plan's dry run over supplies: every read `reserve`, `open-site` and the cover proposals make, and no write, hold
 * or publish. Each reservation is planned as a drill plans it (on its own, against what is available now); the same
 * reservations are then drawn one after another from one pool, as a live incident would take them, for the per-depot
 * figures, the shortfalls and the cover that `proposeCover` would propose for them.
 */
export function previewHandlers(ctx: ServiceContext, s: Stores, cover: Pick<ReturnType<typeof coverHandlers>, 'previewCover'>) {
  const sites = siteModel(ctx.db);

  async function preview(req: PreviewRequest): Promise<Preview> {
    const asOf = isoDay(new Date());
    const unknown = await s.unknownItems(req.reservations.flatMap((r) => r.lines.map((l) => l.itemCode)));
    if (unknown.length) throw new LifelineError('invalid_request', 'unknown item codes', { unknown });
    const chains = new Map<string, Map<string, number>>();
    for (const communityId of new Set(req.reservations.map((r) => r.communityId))) chains.set(communityId, await s.chainOf(communityId));
    // Every candidate lot's stock, read once.
    const facts = new Map<string, PreviewLot[]>();
    const factsOf = async (communityId: string, itemCode: string) => {
      const key = `${communityId}/${itemCode}`;
      if (!facts.has(key)) facts.set(key, (await s.directory.lotsOf(itemCode, chains.get(communityId)!.keys())).map((l) => ({ ...l, available: 0 })));
      return facts.get(key)!;
    };
    for (const r of req.reservations) for (const l of r.lines) await factsOf(r.communityId, l.itemCode);
    const lotIds = [...new Set([...facts.values()].flat().map((l) => l.id))];
    const available = new Map((await findByIds(s.lots, lotIds)).map((l) => [l._id, l.available]));
    for (const list of facts.values()) for (const l of list) l.available = available.get(l.id) ?? 0;

    const pool = new Map(available);
    const byDepot = new Map<string, { depotId: string; itemCode: string; available: number; drawn: number; lots: Set<string> }>();
    const missing = new Map<string, Map<string, number>>();
    const reservations = req.reservations.map((r) => {
      const rank = chains.get(r.communityId)!;
      const lines = r.lines.map((line) => {
        const lots = facts.get(`${r.communityId}/${line.itemCode}`)!;
        const reservable = drawn(drawLine(line.quantity, lots, rank, asOf));
        const live = drawLine(line.quantity, lots, rank, asOf, pool);
        for (const lot of lots) {
          const key = `${lot.depotId}/${line.itemCode}`;
          const d = byDepot.get(key) ?? { depotId: lot.depotId, itemCode: line.itemCode, available: 0, drawn: 0, lots: new Set<string>() };
          byDepot.set(key, d);
          if (!d.lots.has(lot.id) && unusableReason(lot, asOf) === null) d.available += lot.available;
          d.lots.add(lot.id);
        }
        for (const draw of live) byDepot.get(`${draw.depotId}/${line.itemCode}`)!.drawn += draw.quantity;
        const short = line.quantity - drawn(live);
        if (short > 0) {
          const perItem = missing.get(r.communityId) ?? new Map<string, number>();
          missing.set(r.communityId, perItem);
          perItem.set(line.itemCode, (perItem.get(line.itemCode) ?? 0) + short);
        }
        return { itemCode: line.itemCode, requested: line.quantity, reservable, shortfall: line.quantity - reservable };
      });
      return { communityId: r.communityId, stepId: r.stepId, lines };
    });

    const depots = await s.allDepots();
    const shortfalls: Preview['shortfalls'] = [];
    const transfers: Preview['transfers'] = [];
    const donations: Preview['donations'] = [];
    const uncovered: Preview['uncovered'] = [];
    for (const [communityId, perItem] of missing) {
      const short = [...perItem].map(([itemCode, n]) => ({ itemCode, missing: n }));
      shortfalls.push(...short.map((m) => ({ communityId, ...m })));
      const plan = await cover.previewCover(communityId, short, asOf);
      transfers.push(...plan.transfers.map((t) => ({ communityId, itemCode: t.itemCode, quantity: t.quantity, fromDepotId: t.fromDepotId, fromLotId: t.fromLotId, ...(t.distanceKm === undefined ? {} : { distanceKm: t.distanceKm }) })));
      donations.push(...plan.donations.map((d) => ({ communityId, itemCode: d.itemCode, quantity: d.quantity, enterpriseId: d.enterpriseId })));
      for (const m of short) {
        const covered = plan.transfers.filter((t) => t.itemCode === m.itemCode).reduce((n, t) => n + t.quantity, 0) + plan.donations.filter((d) => d.itemCode === m.itemCode).reduce((n, d) => n + d.quantity, 0);
        if (covered < m.missing) uncovered.push({ communityId, itemCode: m.itemCode, missing: m.missing - covered });
      }
    }

    const siteDocs = new Map<string, { id: string; kind: string; capacity: number }[]>();
    for (const communityId of new Set(req.sites.map((x) => x.communityId))) {
      siteDocs.set(communityId, (await sites.find({ communityId }).lean()).map((x) => ({ id: x._id, kind: x.kind, capacity: x.capacity })));
    }
    const openings = req.sites.map((x) => {
      const registered = siteDocs.get(x.communityId)!;
      // A drill opens nothing, so each step chooses among all the community's sites, as a drill's step does.
      const choice = chooseSites(registered, x.siteKinds, x.capacity, new Set());
      const capacity = choice.open.reduce((n, o) => n + o.capacity, 0);
      const shortfall = registered.length === 0 ? x.capacity : choice.shortfall;
      return { communityId: x.communityId, stepId: x.stepId, requested: x.capacity, capacity, shortfall, registered: registered.length, sites: choice.open.map((o) => ({ siteId: o.id, kind: o.kind as Preview['sites'][number]['sites'][number]['kind'], capacity: o.capacity })) };
    });

    return {
      asOf,
      reservations,
      depots: [...byDepot.values()].map(({ lots: _lots, ...d }) => ({ ...d, ...(depots.get(d.depotId)?.level ? { level: depots.get(d.depotId)!.level } : {}) })).sort((a, b) => (a.depotId < b.depotId ? -1 : a.depotId > b.depotId ? 1 : a.itemCode < b.itemCode ? -1 : 1)),
      shortfalls,
      transfers,
      donations,
      uncovered,
      sites: openings,
    };
  }

  return { preview };
}
