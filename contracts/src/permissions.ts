/**
 * Who may publish and subscribe to what on NATS: the production permission policy, as data. Every deployment renders
 * its server users from this table (the local stack's nats-server config, deploy/compose's users.conf, the Helm
 * values); anything not listed is denied by the server.
 */
import { SERVICES, type ServiceName } from './define';
import { personnel } from './services/personnel';

export { SERVICES, type ServiceName };

/** Every NATS user: one per process kind, plus `admin` for the CLI, seeding, tests and stream management. */
export const NATS_USERS = ['admin', 'supplies', 'personnel', 'notification', 'incentives', 'command-center', 'worker', 'bridge'] as const;
export type NatsUser = (typeof NATS_USERS)[number];

/** What one user may do; `null` in {@link PERMISSIONS} means unrestricted. */
export interface Permissions {
  publish: readonly string[];
  subscribe: readonly string[];
  /** May publish to the reply subject of a request it received. */
  allowResponses: boolean;
}

/** JetStream as a consumer: stream lookup, consumer create/info/next, acks and flow control. No stream management. */
export const JETSTREAM_CONSUMER = ['$JS.API.INFO', '$JS.API.STREAM.INFO.*', '$JS.API.STREAM.NAMES', '$JS.API.CONSUMER.>', '$JS.ACK.>', '$JS.FC.>'] as const;

/** Request subjects of every service (what orchestrators may call). Events (`lifeline.evt.>`) are not requests. */
const SERVICE_REQUESTS = SERVICES.map((s) => `lifeline.${s}.>`);

function service(name: ServiceName, extra: { publish?: string[]; subscribe?: string[] } = {}): Permissions {
  return {
    publish: [`lifeline.evt.${name}.>`, `lifeline.work.${name}.>`, ...JETSTREAM_CONSUMER, ...(extra.publish ?? [])],
    subscribe: [`lifeline.${name}.>`, '$SRV.>', '_INBOX.>', ...(extra.subscribe ?? [])],
    allowResponses: true,
  };
}

/** The permission table. */
export const PERMISSIONS: Record<NatsUser, Permissions | null> = {
  admin: null,
  supplies: service('supplies'),
  personnel: service('personnel', { publish: ['lifeline.notification.>'] }),
  notification: service('notification', { publish: [personnel.dispatch.subject] }),
  incentives: service('incentives', { subscribe: ['lifeline.evt.personnel.>'] }),
  // The command-center also pings the services (`$SRV.PING.<name>`) for GET /v1/status.
  'command-center': { publish: [...SERVICE_REQUESTS, ...JETSTREAM_CONSUMER, '$SRV.PING.>'], subscribe: ['_INBOX.>'], allowResponses: false },
  worker: { publish: [...SERVICE_REQUESTS, ...JETSTREAM_CONSUMER], subscribe: ['_INBOX.>'], allowResponses: false },
  bridge: { publish: [...JETSTREAM_CONSUMER], subscribe: ['_INBOX.>'], allowResponses: false },
};

/** NATS subject matching: `*` is one token, `>` one or more trailing tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
