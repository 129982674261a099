import { personnel } from '@lifeline/contracts';
import { runService } from '@lifeline/platform';
import { loadPersonnelConfig } from './config';
import { startDrillResponders } from './drill-responders';
import { registerRoutes } from './http';
import { createDesk, createHandlers } from './nats';

export async function start() {
  const settings = loadPersonnelConfig();
  await runService({
    name: 'personnel',
    description: 'Responders, org units and tasks: one named owner per task, acknowledgement, fallback, simulated drill responders.',
    endpoints: personnel,
    handlers: createHandlers,
    http: registerRoutes,
    background: (ctx) => startDrillResponders(ctx, createDesk(ctx).desk, settings),
  });
}
