/** Every NATS user of the local stack: one per process kind, plus `admin` for the CLI, seeding, tests and stream management. */
export const NATS_USERS = ['admin', 'supplies', 'personnel', 'notification', 'incentives', 'command-center', 'worker', 'bridge'] as const;
export type NatsUser = (typeof NATS_USERS)[number];

/** The four request/reply services (names match their NATS services-framework names). */
export const SERVICES = ['supplies', 'personnel', 'notification', 'incentives'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** What one user may do; `null` means unrestricted. */
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

/** The permission table, as data. Anything not listed is denied by the server. */
export const PERMISSIONS: Record<NatsUser, Permissions | null> = {
  admin: null,
  supplies: service('supplies'),
  personnel: service('personnel', { publish: ['lifeline.notification.>'] }),
  notification: service('notification', { publish: ['lifeline.personnel.dispatch'] }),
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

/** Whether a user entry (as generated) allows an action on a subject. */
export function allows(entry: NatsUserEntry, action: 'publish' | 'subscribe', subject: string): boolean {
  if (!entry.permissions) return true;
  return entry.permissions[action].allow.some((pattern) => subjectMatches(pattern, subject));
}

/** One user as the server sees it. */
export interface NatsUserEntry {
  user: NatsUser;
  password: string;
  permissions?: { publish: { allow: string[] }; subscribe: { allow: string[] }; allow_responses: boolean };
}

/** Options of the generated server configuration. */
export interface NatsConfigOptions {
  port: number;
  /** HTTP monitoring port (`/varz`, `/connz`, `/healthz`); omitted → no monitoring. */
  monitorPort?: number;
  /** JetStream store directory. */
  storeDir: string;
  /** Password per user. */
  passwords: Record<NatsUser, string>;
  /** Listen address; loopback by default. */
  host?: string;
}

/** The users block, derived from {@link PERMISSIONS}. */
export function natsUsers(passwords: Record<NatsUser, string>): NatsUserEntry[] {
  return NATS_USERS.map((user) => {
    const perms = PERMISSIONS[user];
    const entry: NatsUserEntry = { user, password: passwords[user] };
    if (perms) {
      entry.permissions = {
        publish: { allow: [...perms.publish] },
        subscribe: { allow: [...perms.subscribe] },
        allow_responses: perms.allowResponses,
      };
    }
    return entry;
  });
}

const q = (s: string) => JSON.stringify(s);
const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`;

function renderUser(u: NatsUserEntry): string {
  const head = `user: ${q(u.user)}, password: ${q(u.password)}`;
  if (!u.permissions) return `    { ${head} }`;
  const p = u.permissions;
  return [
    `    { ${head}, permissions: {`,
    `        publish: { allow: ${list(p.publish.allow)} }`,
    `        subscribe: { allow: ${list(p.subscribe.allow)} }`,
    `        allow_responses: ${p.allow_responses}`,
    `    } }`,
  ].join('\n');
}

/** The nats-server configuration text (pure). */
export function renderNatsConfig(opts: NatsConfigOptions): string {
  const host = opts.host ?? '127.0.0.1';
  const lines = [
    '# Generated by @lifeline/local-stack; regenerated on every start. Edit deploy/local/src/nats-config.ts instead.',
    `server_name: "lifeline-local"`,
    `listen: ${q(`${host}:${opts.port}`)}`,
  ];
  if (opts.monitorPort) lines.push(`http: ${q(`${host}:${opts.monitorPort}`)}`);
  lines.push('jetstream {', `  store_dir: ${q(opts.storeDir)}`, '}');
  lines.push('authorization {', '  users: [', ...natsUsers(opts.passwords).map(renderUser), '  ]', '}', '');
  return lines.join('\n');
}
