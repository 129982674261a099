import type { Express } from 'express';
import { z } from 'zod';
import { IncidentId, Slug } from '@lifeline/contracts';
import { parseHttp, route, type ServiceContext } from '@lifeline/platform';
import { lotModel } from './model/lots';
import { reservationModel, toReservation } from './model/reservations';
import { depotModel } from './model/stock';

const StockQuery = z.object({ areaId: Slug });
const ReservationsQuery = z.object({ incidentId: IncidentId });

/** Read-only admin routes: stock by depot for an area, reservations of an incident. */
export function registerRoutes(app: Express, ctx: ServiceContext): void {
  const depots = depotModel(ctx.db);
  const lots = lotModel(ctx.db);
  const reservations = reservationModel(ctx.db);

  app.get(
    '/v1/stock',
    route(async (req, res) => {
      const { areaId } = parseHttp(StockQuery, req.query, 'query');
      const areaDepots = await depots.find({ areaId }).sort({ _id: 1 }).lean();
      const areaLots = await lots.find({ depotId: { $in: areaDepots.map((d) => d._id) } }).sort({ _id: 1 }).lean();
      res.json({
        areaId,
        depots: areaDepots.map((d) => ({
          id: d._id,
          name: d.name,
          level: d.level,
          parentId: d.parentId,
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
      const { incidentId } = parseHttp(ReservationsQuery, req.query, 'query');
      const docs = await reservations.find({ incidentId, status: { $ne: 'pending' } }).sort({ createdAt: 1 }).lean();
      res.json({ incidentId, reservations: docs.map(toReservation) });
    }),
  );
}
