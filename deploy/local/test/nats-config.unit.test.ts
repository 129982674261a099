import { NATS_USERS, subjectMatches, type NatsUser } from '@lifeline/contracts/permissions';
import { allows, natsUsers, renderNatsConfig, type NatsUserEntry } from '../src/nats-config';

const passwords = Object.fromEntries(NATS_USERS.map((u) => [u, `pw-${u}`])) as Record<NatsUser, string>;
const users = natsUsers(passwords);
const entry = (name: NatsUser): NatsUserEntry => users.find((u) => u.user === name)!;

describe('subject matching', () => {
  it('treats * as one token and > as one or more trailing tokens', () => {
    expect(subjectMatches('lifeline.evt.supplies.>', 'lifeline.evt.supplies.reserved')).toBe(true);
    expect(subjectMatches('lifeline.evt.supplies.>', 'lifeline.evt.supplies')).toBe(false);
    expect(subjectMatches('$JS.API.STREAM.INFO.*', '$JS.API.STREAM.INFO.LIFELINE_EVENTS')).toBe(true);
    expect(subjectMatches('$JS.API.STREAM.INFO.*', '$JS.API.STREAM.INFO.A.B')).toBe(false);
  });
});

describe('generated NATS permissions', () => {
  it('a service may publish only its own events', () => {
    expect(allows(entry('supplies'), 'publish', 'lifeline.evt.supplies.reserved')).toBe(true);
    expect(allows(entry('supplies'), 'publish', 'lifeline.evt.personnel.x')).toBe(false);
    expect(allows(entry('notification'), 'publish', 'lifeline.evt.supplies.reserved')).toBe(false);
  });

  it('a service serves its own requests and service discovery, not another service’s', () => {
    expect(allows(entry('supplies'), 'subscribe', 'lifeline.supplies.reserve')).toBe(true);
    expect(allows(entry('supplies'), 'subscribe', '$SRV.PING.supplies')).toBe(true);
    expect(allows(entry('supplies'), 'subscribe', 'lifeline.personnel.assign')).toBe(false);
    expect(entry('supplies').permissions?.allow_responses).toBe(true);
  });

  it('services may consume JetStream but not manage streams', () => {
    expect(allows(entry('supplies'), 'publish', '$JS.API.CONSUMER.CREATE.LIFELINE_WORK.x')).toBe(true);
    expect(allows(entry('supplies'), 'publish', '$JS.API.STREAM.DELETE.LIFELINE_EVENTS')).toBe(false);
    expect(allows(entry('supplies'), 'publish', '$JS.API.STREAM.CREATE.X')).toBe(false);
  });

  it('only personnel may call notification among the services; incentives may read personnel events', () => {
    expect(allows(entry('personnel'), 'publish', 'lifeline.notification.send')).toBe(true);
    expect(allows(entry('supplies'), 'publish', 'lifeline.notification.send')).toBe(false);
    expect(allows(entry('incentives'), 'subscribe', 'lifeline.evt.personnel.task-completed')).toBe(true);
    expect(allows(entry('incentives'), 'subscribe', 'lifeline.evt.supplies.reserved')).toBe(false);
  });

  it('worker and command-center call every service but cannot forge events', () => {
    for (const user of ['worker', 'command-center'] as const) {
      for (const svc of ['supplies', 'personnel', 'notification', 'incentives']) expect(allows(entry(user), 'publish', `lifeline.${svc}.x`)).toBe(true);
      expect(allows(entry(user), 'publish', 'lifeline.evt.supplies.reserved')).toBe(false);
      expect(allows(entry(user), 'subscribe', '_INBOX.abc')).toBe(true);
      expect(allows(entry(user), 'subscribe', 'lifeline.supplies.reserve')).toBe(false);
    }
  });

  it('only the command-center pings services (GET /v1/status); nobody but admin reads their stats or info', () => {
    expect(allows(entry('command-center'), 'publish', '$SRV.PING.supplies')).toBe(true);
    expect(allows(entry('command-center'), 'publish', '$SRV.STATS.supplies')).toBe(false);
    expect(allows(entry('worker'), 'publish', '$SRV.PING.supplies')).toBe(false);
    expect(allows(entry('bridge'), 'publish', '$SRV.PING.supplies')).toBe(false);
  });

  it('the bridge only consumes JetStream', () => {
    expect(allows(entry('bridge'), 'publish', '$JS.ACK.LIFELINE_EVENTS.bridge.1.2.3.4.5')).toBe(true);
    expect(allows(entry('bridge'), 'publish', 'lifeline.supplies.reserve')).toBe(false);
    expect(allows(entry('bridge'), 'publish', 'lifeline.evt.personnel.x')).toBe(false);
  });

  it('admin is unrestricted', () => {
    expect(entry('admin').permissions).toBeUndefined();
    expect(allows(entry('admin'), 'publish', '$JS.API.STREAM.DELETE.LIFELINE_EVENTS')).toBe(true);
  });
});

describe('renderNatsConfig', () => {
  const text = renderNatsConfig({ port: 4222, monitorPort: 8222, storeDir: '/data/nats', passwords });

  it('listens on loopback with JetStream under the data dir', () => {
    expect(text).toContain('listen: "127.0.0.1:4222"');
    expect(text).toContain('http: "127.0.0.1:8222"');
    expect(text).toContain('store_dir: "/data/nats"');
  });

  it('carries every user with its password', () => {
    for (const u of NATS_USERS) expect(text).toContain(`user: "${u}", password: "pw-${u}"`);
  });

  it('omits monitoring when no port is given', () => {
    expect(renderNatsConfig({ port: 4222, storeDir: '/d', passwords })).not.toContain('http:');
  });
});
