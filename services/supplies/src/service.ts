import { supplies } from '@lifeline/contracts';
import { runService } from '@lifeline/platform';
import { registerRoutes } from './http';
import { createHandlers } from './nats';

export async function start() {
  await runService({
    name: 'supplies',
    description: 'Depots, lots and reservations: first-expiry-first-out stock for communities, never oversold.',
    endpoints: supplies,
    handlers: createHandlers,
    http: registerRoutes,
  });
}
