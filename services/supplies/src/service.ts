import { supplies } from '@lifeline/contracts';
import { runService, type ServiceContext } from '@lifeline/platform';
import { registerRoutes } from './http';
import { createHandlers } from './nats';

export async function start() {
  // The HTTP routes reuse the NATS handlers (readiness, summary); runService builds them once and shares them.
  let built: ReturnType<typeof createHandlers> | undefined;
  const handlers = (ctx: ServiceContext) => (built ??= createHandlers(ctx));
  await runService({
    name: 'supplies',
    description: 'Depots, lots and reservations: first-expiry-first-out stock for communities, never oversold; shortfall cover, sites, readiness.',
    endpoints: supplies,
    handlers,
    http: (app, ctx) => registerRoutes(app, ctx, () => handlers(ctx)),
  });
}
