import type { Express } from 'express';
import { PeopleQuery, TasksQuery } from '@lifeline/contracts/http/personnel';
import { maskName, maskPhone, parseHttp, route, type ServiceContext } from '@lifeline/platform';
import { personModel } from './model/person';
import type { TaskDesk } from './tasks';

const LIMIT = 5000;

/** Read-only admin routes; people are shown with masked names and phones only. */
export function registerRoutes(app: Express, ctx: ServiceContext, desk: TaskDesk): void {
  const people = personModel(ctx.db);

  app.get(
    '/v1/tasks',
    route(async (req, res) => {
      const { incidentId } = parseHttp(TasksQuery, req.query, 'query');
      res.json({ incidentId, tasks: await desk.listByIncident(incidentId, LIMIT) });
    }),
  );

  app.get(
    '/v1/people',
    route(async (req, res) => {
      const { communityId } = parseHttp(PeopleQuery, req.query, 'query');
      const docs = await people.find({ communityId }, { claimedIncidents: 0, claimedTasks: 0 }).sort({ _id: 1 }).limit(LIMIT).lean();
      res.json({
        communityId,
        people: docs.map((p) => ({
          id: p._id,
          type: p.type,
          communityId: p.communityId,
          gridId: p.gridId,
          skills: p.skills ?? [],
          available: p.available,
          name: maskName(ctx.vault.open(p.name)),
          phone: maskPhone(ctx.vault.open(p.phone)),
        })),
      });
    }),
  );
}
