import { LifelineError, suppliesEvents, type suppliesContract } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import type { z } from 'zod';
import { chooseSites } from '../domain/sites';
import { retryWhenBusy } from '../model/busy';
import { findByIds, insertIfAbsent } from '../model/docs';
import { commandId, openingId, openingModel, siteCommandModel, siteModel, type OpeningDoc } from '../model/sites';

type Site = suppliesContract.Site;
type SiteOpening = suppliesContract.SiteOpening;
type OpenRequest = z.infer<typeof suppliesContract.OpenSiteRequest>;
type CloseRequest = z.infer<typeof suppliesContract.CloseSiteRequest>;
type Occupancy = z.infer<typeof suppliesContract.OccupancyUpdate>;

const view = (o: Pick<OpeningDoc, 'siteId' | 'kind' | 'capacity' | 'occupancy' | 'status'>) => ({ siteId: o.siteId, kind: o.kind, capacity: o.capacity, occupancy: o.occupancy, status: o.status });

/**
 * Shelters and gathering sites. An open site is a document per incident and site (`<incidentId>/<siteId>`, inserted
 * if absent); every keyed command stores its answer under a hash of its key, so a repeat returns the first answer.
 */
export function siteHandlers(ctx: ServiceContext) {
  const sites = siteModel(ctx.db);
  const openings = openingModel(ctx.db);
  const commands = siteCommandModel(ctx.db);

  async function seedSites(list: Site[]) {
    if (list.length === 0) return {};
    await sites.bulkWrite(list.map(({ id, ...site }) => ({ updateOne: { filter: { _id: id }, update: { $set: site }, upsert: true } })), { ordered: false });
    return { sites: list.length };
  }

  /** Run a keyed command once: a stored answer is returned as it was. */
  async function once<T>(id: string, run: () => Promise<T>): Promise<T> {
    const done = await commands.findById(id).lean();
    if (done) return done.result as T;
    const result = await run();
    await insertIfAbsent(commands, [{ _id: id, result, at: new Date() }]);
    return ((await commands.findById(id).lean())?.result as T | undefined) ?? result;
  }

  const openingsOf = async (incidentId: string, siteIds: string[]) => findByIds(openings, siteIds.map((id) => openingId(incidentId, id)));

  async function openSite(req: OpenRequest): Promise<SiteOpening> {
    const id = commandId('open', req.idempotencyKey);
    const result = await once(id, async () => {
      const inCommunity = (await sites.find({ communityId: req.communityId }).lean()).map((s) => ({ ...s, id: s._id }));
      if (inCommunity.length === 0) throw new LifelineError('not_found', `community ${req.communityId} has no registered sites`, { communityId: req.communityId });
      const open = (await openingsOf(req.incidentId, inCommunity.map((s) => s.id))).filter((o) => o.status === 'open');
      const choice = chooseSites(inCommunity, req.siteKinds, req.capacity, new Set(open.map((o) => o.siteId)));
      const opened: OpeningDoc[] = choice.open.map((s) => ({ _id: openingId(req.incidentId, s.id), incidentId: req.incidentId, communityId: req.communityId, siteId: s.id, kind: s.kind, capacity: s.capacity, occupancy: 0, status: 'open' }));
      if (!req.drill) await insertIfAbsent(openings, opened);
      const listed = [...open.filter((o) => choice.keep.some((k) => k.id === o.siteId)), ...opened].map(view);
      return { incidentId: req.incidentId, communityId: req.communityId, requested: req.capacity, capacity: listed.reduce((n, o) => n + o.capacity, 0), shortfall: choice.shortfall, sites: listed };
    });
    if (!req.drill) await ctx.events.publish(suppliesEvents.siteOpened, `${id}:opened`, result, req.incidentId);
    return result;
  }

  async function closeSite(req: CloseRequest): Promise<SiteOpening> {
    const id = commandId('close', req.idempotencyKey);
    const result = await once(id, async () => {
      const ids = req.siteIds ?? (await sites.find({ communityId: req.communityId }, { _id: 1 }).lean()).map((s) => s._id);
      const open = (await openingsOf(req.incidentId, ids)).filter((o) => o.status === 'open' && o.communityId === req.communityId);
      for (const o of open) await openings.updateOne({ _id: o._id }, { $set: { status: 'closed' } });
      const closed = open.map((o) => view({ ...o, status: 'closed' }));
      return { incidentId: req.incidentId, communityId: req.communityId, requested: 0, capacity: closed.reduce((n, o) => n + o.capacity, 0), shortfall: 0, sites: closed };
    });
    await ctx.events.publish(suppliesEvents.siteClosed, `${id}:closed`, result, req.incidentId);
    return result;
  }

  async function updateOccupancy(req: Occupancy) {
    const id = commandId('occupancy', req.idempotencyKey);
    const result = await once(id, async () => {
      const o = await openings.findById(openingId(req.incidentId, req.siteId)).lean();
      if (!o) throw new LifelineError('not_found', `site ${req.siteId} was not opened for incident ${req.incidentId}`, { siteId: req.siteId });
      if (o.status !== 'open') throw new LifelineError('invalid_state', `site ${req.siteId} is closed`, { siteId: req.siteId });
      const reportedAt = req.reportedAt ? new Date(req.reportedAt) : new Date();
      // An older report arriving late does not overwrite a newer one.
      if (o.reportedAt && o.reportedAt > reportedAt) return view(o);
      await openings.updateOne({ _id: o._id }, { $set: { occupancy: req.occupancy, reportedAt } });
      return view({ ...o, occupancy: req.occupancy });
    });
    await ctx.events.publish(suppliesEvents.occupancyUpdated, `${id}:occupancy`, { ...result, incidentId: req.incidentId }, req.incidentId);
    return result;
  }

  return {
    seedSites,
    openSite: (req: OpenRequest) => retryWhenBusy(() => openSite(req)),
    closeSite: (req: CloseRequest) => retryWhenBusy(() => closeSite(req)),
    updateOccupancy: (req: Occupancy) => retryWhenBusy(() => updateOccupancy(req)),
    /** Open sites of an incident (or all incidents) for the console. */
    list: async (query: { incidentId?: string; communityId?: string }) => {
      const filter = { ...(query.incidentId ? { incidentId: query.incidentId } : {}), ...(query.communityId ? { communityId: query.communityId } : {}) };
      return (await openings.find(filter).lean()).map((o) => ({ ...view(o), incidentId: o.incidentId, communityId: o.communityId }));
    },
  };
}
