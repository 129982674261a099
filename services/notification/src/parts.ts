import type { ServiceContext } from '@lifeline/platform';
import { broadcasts } from './broadcast';
import { bulletins } from './bulletins';
import { createChannels, type Channels } from './channels';
import { channelSettings, loadNotificationConfig, type NotificationEnv } from './config';
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

const built = new WeakMap<ServiceContext, NotificationParts>();

export function notificationParts(ctx: ServiceContext): NotificationParts {
  const known = built.get(ctx);
  if (known) return known;
  const config = loadNotificationConfig();
  const channels = createChannels(ctx.db, channelSettings(config), { doorKnock: personnelDoorKnock(ctx) });
  const broadcast = broadcasts(ctx, { replyWithinMs: config.BROADCAST_REPLY_WITHIN_MS }, channels);
  const parts: NotificationParts = {
    config,
    channels,
    broadcast,
    direct: directMessages(ctx, channels),
    replies: replies(ctx),
    bulletins: bulletins(ctx, broadcast),
    unconfirmed: unconfirmedVulnerable(ctx, channels),
    deliveries: residentDeliveries(ctx),
  };
  built.set(ctx, parts);
  return parts;
}
