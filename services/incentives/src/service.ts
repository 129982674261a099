import { incentives } from '@lifeline/contracts';
import { runService } from '@lifeline/platform';
import { startCompletionsConsumer } from './consumer';
import { registerRoutes } from './http';
import { buildIncentives, type Incentives } from './nats';

export async function start(): Promise<void> {
  let built: Incentives | undefined;
  await runService({
    name: 'incentives',
    description: 'Points ledger: credits verified work once per cause, by versioned rules per participant type.',
    endpoints: incentives,
    handlers: async (ctx) => {
      built = buildIncentives(ctx);
      return built.handlers;
    },
    http: registerRoutes,
    // Points come from personnel's task-completed events, acknowledged only once the ledger holds the entry.
    background: (ctx) => startCompletionsConsumer(ctx, built!.awards),
  });
}
