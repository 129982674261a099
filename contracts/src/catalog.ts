import type { Endpoint, EventDef } from './define';
import { incentives, incentivesEvents } from './services/incentives';
import { notification, notificationEvents } from './services/notification';
import { personnel, personnelEvents } from './services/personnel';
import { supplies, suppliesEvents } from './services/supplies';

/** Every NATS endpoint, for the AsyncAPI document and `nats micro` listings. */
export const ALL_ENDPOINTS: Endpoint[] = [supplies, personnel, notification, incentives].flatMap((s) => Object.values(s) as Endpoint[]);
/** Every JetStream event. */
export const ALL_EVENTS: EventDef[] = [suppliesEvents, personnelEvents, notificationEvents, incentivesEvents].flatMap((s) => Object.values(s) as EventDef[]);
