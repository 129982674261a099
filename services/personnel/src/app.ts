import { personnel } from '@lifeline/contracts';
import { runService } from '@lifeline/platform';
import { PersonnelEnv } from './config';
import { startDrillResponders } from './drill-responders';
import { registerRoutes } from './http';
import { createHandlers, openDesks } from './nats';
import { startSweeper } from './sweeper';

/** The personnel service: one roster and task desk shared by the endpoints, the HTTP view, the drill responders and the deadline sweeper. */
export const start = () =>
  runService({
    name: 'personnel',
    description: 'Responders, org units, Party overlay and tasks: one named owner per task, acknowledgement deadlines with automatic fallback, readiness, surge, simulated drill responders.',
    endpoints: personnel,
    config: PersonnelEnv,
    build: (ctx) => {
      const desks = openDesks(ctx);
      return {
        handlers: createHandlers(ctx.config, desks),
        routes: (app) => registerRoutes(app, ctx, desks.desk),
        background: async () => {
          const stopResponders = await startDrillResponders(ctx, desks.desk, desks.roster, ctx.config);
          const stopSweeper = startSweeper(ctx, desks.desk, ctx.config);
          return async () => {
            await stopSweeper();
            await stopResponders();
            await desks.desk.drain();
          };
        },
      };
    },
  });
