import { personnel } from '@lifeline/contracts';
import { runService } from '@lifeline/platform';
import { loadPersonnelConfig } from './config';
import { startDrillResponders } from './drill-responders';
import { registerRoutes } from './http';
import { startSweeper } from './sweeper';
import { createDesk, createHandlers } from './nats';

export async function start() {
  const settings = loadPersonnelConfig();
  await runService({
    name: 'personnel',
    description: 'Responders, org units, Party overlay and tasks: one named owner per task, acknowledgement deadlines with automatic fallback, readiness, surge, simulated drill responders.',
    endpoints: personnel,
    handlers: createHandlers,
    http: registerRoutes,
    background: async (ctx) => {
      const { desk, roster } = createDesk(ctx);
      const stopResponders = await startDrillResponders(ctx, desk, roster, settings);
      const stopSweeper = startSweeper(ctx, desk, settings);
      return async () => {
        await stopSweeper();
        await stopResponders();
        await desk.drain();
      };
    },
  });
}
