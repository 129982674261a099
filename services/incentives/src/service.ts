import { incentives } from '@lifeline/contracts';
import { runService } from '@lifeline/platform';
import { registerRoutes } from './http';
import { createHandlers } from './nats';

export async function start(): Promise<void> {
  await runService({
    name: 'incentives',
    description: 'Points ledger: credits verified work once per cause, by versioned rules per participant type.',
    endpoints: incentives,
    handlers: createHandlers,
    http: registerRoutes,
  });
}
