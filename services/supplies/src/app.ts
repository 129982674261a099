import { supplies } from '@lifeline/contracts';
import { runService } from '@lifeline/platform';
import { SuppliesEnv } from './config';
import { registerRoutes } from './http';
import { createHandlers } from './nats';

/**
 * The supplies service: its endpoints, read routes that answer from the same handlers (summary, readiness), and in the
 * background the outbox that publishes reservation events.
 */
export const start = () =>
  runService({
    name: 'supplies',
    description: 'Depots, lots and reservations: first-expiry-first-out stock for communities, never oversold; shortfall cover, sites, readiness.',
    endpoints: supplies,
    config: SuppliesEnv,
    build: async (ctx) => {
      const { handlers, background } = await createHandlers(ctx);
      return { handlers, routes: (app) => registerRoutes(app, ctx, handlers), background };
    },
  });
