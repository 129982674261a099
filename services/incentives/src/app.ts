import { incentives } from '@lifeline/contracts';
import { runService } from '@lifeline/platform';
import { IncentivesEnv } from './config';
import { startCompletionsConsumer } from './consumer';
import { registerRoutes } from './http';
import { buildIncentives } from './nats';

/** The incentives service: the ledger's endpoints, its read routes, and the consumer that turns completed work into points. */
export const start = () =>
  runService({
    name: 'incentives',
    description: 'Points ledger: credits verified work once per cause, by versioned rules per participant type.',
    endpoints: incentives,
    config: IncentivesEnv,
    build: (ctx) => {
      const { handlers, awards } = buildIncentives(ctx);
      return {
        handlers,
        routes: (app) => registerRoutes(app, ctx),
        // Points come from personnel's task-completed events, acknowledged only once the ledger holds the entry.
        background: () => startCompletionsConsumer(ctx, awards),
      };
    },
  });
