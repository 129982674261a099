import { notification } from '@lifeline/contracts';
import { observeOpenBroadcasts, runService } from '@lifeline/platform';
import { startCaseCloser } from './case-closer';
import { NotificationEnv } from './config';
import { startBroadcastConsumer } from './consumer';
import { registerRoutes } from './http';
import { jobModel } from './model/job';
import { createHandlers } from './nats';
import { notificationParts } from './parts';
import { pageSender } from './sender';

/**
 * The notification service. In the background: pages of a broadcast arrive on the work stream and are sent,
 * vulnerable residents first; completed grid-worker tasks close residents' cases and the residents are told.
 * Endpoints and background share one set of parts, so one set of channel rate limits.
 */
export const start = () =>
  runService({
    name: 'notification',
    description: 'Resident registry, broadcasts (vulnerable first, once per resident per step, channel fallback, contact caps), replies and cases, bulletins, CAP 1.2 alerts, direct messages to responders.',
    endpoints: notification,
    config: NotificationEnv,
    build: (ctx) => {
      const parts = notificationParts(ctx);
      // Metric lifeline.broadcast.jobs.open: a job stays `queued` in the store until its last page is counted.
      observeOpenBroadcasts(() => jobModel(ctx.db).countDocuments({ status: 'queued' }));
      return {
        handlers: createHandlers(ctx, parts),
        routes: (app) => registerRoutes(app, ctx),
        background: async () => {
          const stopSender = await startBroadcastConsumer(ctx, pageSender(ctx, parts.channels), { concurrency: ctx.config.BROADCAST_CONCURRENCY, ackWaitSeconds: ctx.config.BROADCAST_ACK_WAIT_SECONDS });
          const stopCloser = await startCaseCloser(ctx, parts.direct);
          return async () => {
            await Promise.all([stopSender(), stopCloser()]);
          };
        },
      };
    },
  });
