import type { Express } from 'express';
import type { supplies } from '@lifeline/contracts';
import { IncidentQuery, ReadinessQuery, SitesQuery, StockQuery } from '@lifeline/contracts/http/supplies';
import { parseHttp, route, type Handlers, type ServiceContext } from '@lifeline/platform';
import { depotsOfArea } from './domain/readiness';
import { lotModel } from './model/lots';
import { reservationModel, toReservation } from './model/reservations';
import { openingModel } from './model/sites';
import { depotModel } from './model/stock';

/**
 * Read-only routes for the console: stock by depot for an area (with the depots below it unless `below=false`),
 * reservations of an incident, readiness of an area, sites opened for an incident, and the incident's figures.
 */
export function registerRoutes(app: Express, ctx: ServiceContext, handlers: Handlers<typeof supplies>): void {
  const depots = depotModel(ctx.db);
  const lots = lotModel(ctx.db);
  const reservations = reservationModel(ctx.db);
  const openings = openingModel(ctx.db);

  app.get(
    '/v1/stock',
    route(async (req, res) => {
      const { areaId, below } = parseHttp(StockQuery, req.query, 'query');
      const all = await depots.find({}).sort({ _id: 1 }).lean();
      const areaDepots = below === 'true' ? depotsOfArea(areaId, all.map((d) => ({ ...d, id: d._id }))).map((d) => d.id) : all.filter((d) => d.areaId === areaId).map((d) => d._id);
      const areaLots = areaDepots.length ? await lots.find({ depotId: { $in: areaDepots } }).sort({ _id: 1 }).lean() : [];
      res.json({
        areaId,
        depots: all
          .filter((d) => areaDepots.includes(d._id))
          .map((d) => ({
            id: d._id,
            name: d.name,
            level: d.level,
            areaId: d.areaId,
            parentId: d.parentId,
            location: d.location,
            lastInspectedOn: d.lastInspectedOn,
            lots: areaLots
              .filter((l) => l.depotId === d._id)
              .map((l) => ({ id: l._id, itemCode: l.itemCode, quantity: l.quantity, available: l.available, expiresOn: l.expiresOn, source: l.source, condition: l.condition })),
          })),
      });
    }),
  );

  app.get(
    '/v1/reservations',
    route(async (req, res) => {
      const { incidentId } = parseHttp(IncidentQuery, req.query, 'query');
      const docs = await reservations.find({ incidentId, status: { $ne: 'pending' } }).sort({ createdAt: 1 }).lean();
      res.json({ incidentId, reservations: docs.map(toReservation) });
    }),
  );

  app.get(
    '/v1/summary',
    route(async (req, res) => {
      const { incidentId } = parseHttp(IncidentQuery, req.query, 'query');
      res.json(await handlers.summary({ incidentId }));
    }),
  );

  app.get(
    '/v1/readiness',
    route(async (req, res) => {
      const q = parseHttp(ReadinessQuery, req.query, 'query');
      res.json(await handlers.readiness(q));
    }),
  );

  app.get(
    '/v1/sites',
    route(async (req, res) => {
      const q = parseHttp(SitesQuery, req.query, 'query');
      const filter = { ...(q.incidentId ? { incidentId: q.incidentId } : {}), ...(q.communityId ? { communityId: q.communityId } : {}) };
      const docs = await openings.find(filter).sort({ _id: 1 }).lean();
      res.json({ sites: docs.map((o) => ({ incidentId: o.incidentId, communityId: o.communityId, siteId: o.siteId, kind: o.kind, capacity: o.capacity, occupancy: o.occupancy, status: o.status })) });
    }),
  );
}
