import { notification } from '@lifeline/contracts';
import { runService, type ServiceContext } from '@lifeline/platform';
import { startCaseCloser } from './case-closer';
import { startBroadcastConsumer } from './consumer';
import { registerRoutes } from './http';
import { createHandlers } from './nats';
import { notificationParts } from './parts';
import { pageSender } from './sender';

/**
 * In the background: pages of a broadcast arrive on the work stream and are sent, vulnerable residents first;
 * completed grid-worker tasks close residents' cases and the residents are told.
 */
async function background(ctx: ServiceContext): Promise<() => Promise<void>> {
  const parts = notificationParts(ctx);
  const stopSender = await startBroadcastConsumer(ctx, pageSender(ctx, parts.channels), { concurrency: parts.config.BROADCAST_CONCURRENCY, ackWaitSeconds: parts.config.BROADCAST_ACK_WAIT_SECONDS });
  const stopCloser = await startCaseCloser(ctx, parts.direct);
  return async () => {
    await Promise.all([stopSender(), stopCloser()]);
  };
}

export async function start(): Promise<void> {
  await runService({
    name: 'notification',
    description: 'Resident registry, broadcasts (vulnerable first, once per resident per step, channel fallback, contact caps), replies and cases, bulletins, CAP 1.2 alerts, direct messages to responders.',
    endpoints: notification,
    handlers: createHandlers,
    http: registerRoutes,
    background,
  });
}
