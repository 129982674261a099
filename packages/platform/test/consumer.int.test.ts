import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, AckPolicy, StorageType, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { localProvider, isPortOpen, readStackState } from '@lifeline/local-stack';
import { ack, connectNats, createLogger, encodeJson, retry, runConsumer, term, type ConsumerSpec, type NatsConnection, type RunningConsumer } from '@lifeline/platform';

/** The one consumer loop against the stack's real JetStream, on a stream of its own. */
jest.setTimeout(120_000);
const run = randomUUID().slice(0, 8);
const STREAM = `consumer-test-${run}`;
const SUBJECTS = `test.consumer.${run}`;
const log = createLogger('consumer-int-test', 'silent');
let nc: NatsConnection;
let jsm: JetStreamManager;
const running: RunningConsumer[] = [];

beforeAll(async () => {
  nc = await connectNats({ NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', NATS_USER: process.env.NATS_USER, NATS_PASSWORD: process.env.NATS_PASSWORD }, 'consumer-int-test');
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: STREAM, subjects: [`${SUBJECTS}.>`], storage: StorageType.File });
});

afterAll(async () => {
  await Promise.all(running.map((c) => c.stop()));
  await jsm?.streams.delete(STREAM).catch(() => undefined);
  await nc?.drain();
});

async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const publish = (topic: string, body: unknown) => jetstream(nc).publish(`${SUBJECTS}.${topic}`, encodeJson(body));
const bodyOf = (m: JsMsg) => m.json<{ key: string; n: number }>();

function start(topic: string, over: Partial<ConsumerSpec> & Pick<ConsumerSpec, 'handle'>): RunningConsumer {
  const c = runConsumer({ nc, log, stream: STREAM, durable: `${topic}-${run}`, filter: `${SUBJECTS}.${topic}`, ackWaitMs: 5_000, concurrency: 1, ...over });
  running.push(c);
  return c;
}

test('a message the handler asks to retry comes back, and one that threw is retried too', async () => {
  const deliveries: number[] = [];
  const c = start('retry', {
    handle: async (m) => {
      deliveries.push(m.info.deliveryCount);
      if (m.info.deliveryCount === 1) return retry(200);
      if (m.info.deliveryCount === 2) throw new Error('the store blinked');
      return ack();
    },
  });
  await publish('retry', { key: 'a', n: 1 });
  await eventually('the third delivery is acked', () => deliveries.length === 3);
  await eventually('nothing is pending', async () => {
    const info = await jsm.consumers.info(STREAM, `retry-${run}`);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
  expect(deliveries).toEqual([1, 2, 3]);
  await c.stop();
});

test('a terminated message is never delivered again', async () => {
  const deliveries: number[] = [];
  const c = start('term', { ackWaitMs: 1_000, handle: async (m) => (deliveries.push(m.info.deliveryCount), term('poison')) });
  await publish('term', { key: 'a', n: 1 });
  await eventually('the first delivery', () => deliveries.length === 1);
  // Longer than ack wait and any retry delay: a redelivery would have come by now.
  await new Promise((r) => setTimeout(r, 3_000));
  expect(deliveries).toEqual([1]);
  expect((await jsm.consumers.info(STREAM, `term-${run}`)).num_ack_pending).toBe(0);
  await c.stop();
});

test('with concurrency 4, two messages of one key never run at once and run in stream order', async () => {
  const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
  const perKey = 6;
  const runningKeys = new Set<string>();
  const order = new Map<string, number[]>(keys.map((k) => [k, []]));
  let overlaps = 0;
  let busy = 0;
  let mostBusy = 0;
  for (let n = 0; n < perKey; n++) for (const key of keys) await publish('keyed', { key, n });
  const c = start('keyed', {
    concurrency: 4,
    keyOf: (m) => bodyOf(m).key,
    handle: async (m) => {
      const { key, n } = bodyOf(m);
      if (runningKeys.has(key)) overlaps++;
      runningKeys.add(key);
      mostBusy = Math.max(mostBusy, ++busy);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 25));
      order.get(key)!.push(n);
      busy--;
      runningKeys.delete(key);
      return ack();
    },
  });
  await eventually('every message is handled', () => [...order.values()].every((ns) => ns.length === perKey));
  expect(overlaps).toBe(0);
  for (const ns of order.values()) expect(ns).toEqual([0, 1, 2, 3, 4, 5]);
  expect(mostBusy).toBeGreaterThan(1);
  expect(mostBusy).toBeLessThanOrEqual(4);
  await c.stop();
});

test('a durable declared differently before is brought to the declared config', async () => {
  const durable = `declared-${run}`;
  await jsm.consumers.add(STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: `${SUBJECTS}.old`, ack_wait: nanos(30_000), max_ack_pending: 50 });
  const seen: string[] = [];
  const c = runConsumer({
    nc,
    log,
    stream: STREAM,
    durable,
    filter: [`${SUBJECTS}.declared-a`, `${SUBJECTS}.declared-b`],
    ackWaitMs: 7_000,
    maxAckPending: 200,
    concurrency: 2,
    handle: async (m) => (seen.push(m.subject), ack()),
  });
  running.push(c);
  await c.ready;
  const { config } = await jsm.consumers.info(STREAM, durable);
  expect(config.ack_wait).toBe(nanos(7_000));
  expect(config.max_ack_pending).toBe(200);
  expect([...(config.filter_subjects ?? [])].sort()).toEqual([`${SUBJECTS}.declared-a`, `${SUBJECTS}.declared-b`]);
  expect(config.filter_subject ?? '').toBe('');
  await publish('declared-b', { key: 'a', n: 1 });
  await eventually('the newly filtered subject is delivered', () => seen.includes(`${SUBJECTS}.declared-b`));
  await c.stop();
});

test('a deleted durable is declared again and consuming resumes', async () => {
  const seen: number[] = [];
  const c = start('deleted', { handle: async (m) => (seen.push(bodyOf(m).n), ack()) });
  await publish('deleted', { key: 'a', n: 1 });
  await eventually('the first message', () => seen.includes(1));
  await jsm.consumers.delete(STREAM, `deleted-${run}`);
  await publish('deleted', { key: 'a', n: 2 });
  await eventually('the message published after the deletion', () => seen.includes(2));
  expect(await jsm.consumers.info(STREAM, `deleted-${run}`)).toBeDefined();
  await c.stop();
});

// Killing NATS needs the local harness's processes (the containers provider has no pid to kill).
const localStack = (process.env.LIFELINE_STACK || 'local') === 'local';
(localStack ? test : test.skip)('a NATS restart is survived: messages published after it are handled', async () => {
  const seen: number[] = [];
  const c = start('restart', { handle: async (m) => (seen.push(bodyOf(m).n), ack()) });
  await publish('restart', { key: 'a', n: 1 });
  await eventually('the first message', () => seen.includes(1));
  const nats = (await readStackState()).find((s) => s.name === 'nats');
  expect(nats?.pid).toBeDefined();
  process.kill(nats!.pid!, 'SIGKILL');
  await eventually('NATS is down', async () => !(await isPortOpen(nats!.port!)));
  // Brings back only what is missing (NATS); the rest of the stack is reused.
  await localProvider().start({ apps: false, log: () => {} });
  await eventually('the test connection is back', () => !nc.isClosed() && nc.info !== undefined, 30_000);
  await eventually('a publish is accepted again', () => publish('restart', { key: 'a', n: 2 }).then(() => true, () => false), 30_000);
  await eventually('the message published after the restart', () => seen.includes(2), 60_000);
  await c.stop();
});
