import { notification } from '@lifeline/contracts';
import { runService, type ServiceContext } from '@lifeline/platform';
import { createGateways } from './channels';
import { loadNotificationConfig } from './config';
import { startBroadcastConsumer } from './consumer';
import { registerRoutes } from './http';
import { createHandlers } from './nats';
import { batchSender } from './sender';

/** Batches of a broadcast arrive on the work stream and are sent in the background, vulnerable residents first. */
async function background(ctx: ServiceContext): Promise<() => Promise<void>> {
  const config = loadNotificationConfig();
  const gateways = createGateways({ failureRate: config.NOTIFY_SIM_FAILURE_RATE, delayMs: config.NOTIFY_SIM_DELAY_MS });
  return startBroadcastConsumer(ctx, batchSender(ctx, gateways), { concurrency: config.BROADCAST_CONCURRENCY, ackWaitSeconds: config.BROADCAST_ACK_WAIT_SECONDS });
}

export async function start(): Promise<void> {
  await runService({
    name: 'notification',
    description: 'Resident registry and broadcasts (vulnerable first, one delivery per resident per step) plus direct messages to responders.',
    endpoints: notification,
    handlers: createHandlers,
    http: registerRoutes,
    background,
  });
}
