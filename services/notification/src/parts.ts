import type { ServiceContext } from '@lifeline/platform';
import { broadcasts } from './broadcast';
import { bulletins } from './bulletins';
import { createChannels, type Channels } from './channels';
import { channelSettings, type NotificationEnv } from './config';
import { residentDeliveries } from './deliveries';
import { directMessages } from './direct';
import { personnelDoorKnock } from './door-knock';
import { replies } from './replies';
import { unconfirmedVulnerable } from './unconfirmed';

/** Everything the endpoints and the background consumers share in one process (one set of channel rate limits). */
export interface NotificationParts {
  config: NotificationEnv;
  channels: Channels;
  broadcast: ReturnType<typeof broadcasts>;
  direct: ReturnType<typeof directMessages>;
  replies: ReturnType<typeof replies>;
  bulletins: ReturnType<typeof bulletins>;
  unconfirmed: ReturnType<typeof unconfirmedVulnerable>;
  deliveries: ReturnType<typeof residentDeliveries>;
}

/** Built once per process by `app.ts`; a second set would double the channels' rate limits. */
export function notificationParts(ctx: ServiceContext<NotificationEnv>): NotificationParts {
  const config = ctx.config;
  const channels = createChannels(ctx.db, channelSettings(config), { doorKnock: personnelDoorKnock(ctx) });
  const broadcast = broadcasts(ctx, { replyWithinMs: config.BROADCAST_REPLY_WITHIN_MS }, channels);
  return {
    config,
    channels,
    broadcast,
    direct: directMessages(ctx, channels),
    replies: replies(ctx),
    bulletins: bulletins(ctx, broadcast),
    unconfirmed: unconfirmedVulnerable(ctx, channels),
    deliveries: residentDeliveries(ctx),
  };
}
