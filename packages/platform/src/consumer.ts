import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import type { Logger } from './logger';
import { traceFrom } from './nats';
import { inSpan, SpanKind } from './telemetry';
import { watchConsumerLag, type ConsumerLag } from './telemetry-metrics';

/** What a handler decided about one message. */
export type Outcome = { kind: 'ack' } | { kind: 'retry'; delayMs: number } | { kind: 'term'; reason: string };
/** Done: JetStream forgets the message. */
export const ack = (): Outcome => ({ kind: 'ack' });
/** Not yet: JetStream delivers the message again after `delayMs`. */
export const retry = (delayMs: number): Outcome => ({ kind: 'retry', delayMs });
/** Never: a poison message; it is logged (with `reason`, which must name no person) and not delivered again. */
export const term = (reason: string): Outcome => ({ kind: 'term', reason });

/** The durable consumer a service declares, and how its messages are handled. */
export interface ConsumerSpec {
  nc: NatsConnection;
  log: Logger;
  stream: string;
  durable: string;
  filter: string | readonly string[];
  /** Where a new durable starts (default: the whole stream). JetStream cannot move an existing durable's start. */
  deliverPolicy?: DeliverPolicy;
  /** How long a delivered message is the handler's; extended while the handler runs (see {@link runConsumer}). */
  ackWaitMs: number;
  /** Messages handled at once. */
  concurrency: number;
  /** Deliveries before JetStream gives a message up (default: never). */
  maxDeliver?: number;
  /** Delivered but unacknowledged messages the server allows (default 1000); `retry` outcomes count against it. */
  maxAckPending?: number;
  /** Messages of one key never run at once and start in delivery order. */
  keyOf?: (m: JsMsg) => string;
  /** The consumer span's name (default `consume <subject>`). */
  spanName?: (m: JsMsg) => string;
  handle: (m: JsMsg) => Promise<Outcome>;
}

export interface RunningConsumer {
  /** Resolves once the durable is declared and the first pull is out (or the consumer stopped before that). */
  ready: Promise<void>;
  /** Resolves when the consumer stopped: `stop()`, or its NATS connection was closed for good. */
  done: Promise<void>;
  /** Stop pulling, hand back what is buffered, and wait for the handlers in flight. */
  stop(): Promise<void>;
}

const DEFAULT_MAX_ACK_PENDING = 1000;

/** What declares the durable (the rest of a {@link ConsumerSpec} is how its messages are handled). */
export type ConsumerDeclaration = Pick<ConsumerSpec, 'nc' | 'log' | 'stream' | 'durable' | 'filter' | 'deliverPolicy' | 'ackWaitMs' | 'maxDeliver' | 'maxAckPending'>;

/**
 * A handler that threw is retried sooner at first and at most every 10 s: a store or gateway that blinked is back
 * within a second, one that is down should not be hammered, and 10 s keeps a recovered outage from idling long.
 */
export const failureDelayMs = (deliveryCount: number) => Math.min(10_000, 500 * 2 ** Math.max(0, deliveryCount - 1));

/** Between attempts to (re)declare and consume: NATS restarting, JetStream not ready, the durable deleted. */
const reconnectDelayMs = (attempt: number) => Math.min(5_000, 250 * 2 ** attempt);

function wantedConfig(spec: ConsumerDeclaration) {
  const filters = [spec.filter].flat();
  return {
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver ?? -1,
    max_ack_pending: spec.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
    // The server refuses both fields at once; an update merges into the stored config, so the other is cleared.
    ...(filters.length === 1 ? { filter_subject: filters[0], filter_subjects: undefined } : { filter_subject: undefined, filter_subjects: filters }),
  } satisfies Partial<ConsumerConfig>;
}

const filtersOf = (c: Partial<ConsumerConfig>) => [...(c.filter_subjects ?? (c.filter_subject ? [c.filter_subject] : []))].sort().join(' ');

/** The fields in which the stored durable differs from its declaration. */
function driftOf(stored: ConsumerInfo['config'], wanted: ReturnType<typeof wantedConfig>): string[] {
  const drift: string[] = [];
  if (stored.ack_wait !== wanted.ack_wait) drift.push('ack_wait');
  if ((stored.max_deliver ?? -1) !== wanted.max_deliver) drift.push('max_deliver');
  if (stored.max_ack_pending !== wanted.max_ack_pending) drift.push('max_ack_pending');
  if (filtersOf(stored) !== filtersOf(wanted)) drift.push('filter');
  return drift;
}

/** Create the durable, or bring an existing one to its declared config (replicas declaring the same config agree). */
export async function declareConsumer(spec: ConsumerDeclaration): Promise<void> {
  const jsm = await jetstreamManager(spec.nc);
  const wanted = wantedConfig(spec);
  const stored = await jsm.consumers.info(spec.stream, spec.durable).catch((err: unknown) => {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
    throw err;
  });
  if (!stored) {
    await jsm.consumers.add(spec.stream, { durable_name: spec.durable, ack_policy: AckPolicy.Explicit, deliver_policy: spec.deliverPolicy ?? DeliverPolicy.All, ...wanted });
    spec.log.info({ consumer: spec.durable }, 'consumer created');
    return;
  }
  const drift = driftOf(stored.config, wanted);
  if (drift.length === 0) return;
  await jsm.consumers.update(spec.stream, spec.durable, wanted);
  spec.log.info({ consumer: spec.durable, updated: drift }, 'consumer brought to its declared config');
}

/** The durable's lag as JetStream reports it, for the consumer gauges (read when metrics are collected). */
function lagReader(spec: Pick<ConsumerSpec, 'nc' | 'stream' | 'durable'>): () => Promise<ConsumerLag> {
  let jsm: JetStreamManager | undefined;
  return async () => {
    jsm ??= await jetstreamManager(spec.nc, { checkAPI: false });
    const info = await jsm.consumers.info(spec.stream, spec.durable);
    return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
  };
}

const describe = (err: unknown) => {
  const e = err as { name?: string; message?: string; code?: unknown };
  return { err: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
};

/**
 * The one JetStream consumer loop. It declares the durable (creating or updating it), pulls, and runs `handle` for
 * at most `concurrency` messages at once (one key at a time with `keyOf`). A message is settled by the handler's
 * outcome only after the handler returns, so a crash at any point redelivers it: handlers must be idempotent by
 * the message's key. A handler that throws is retried with {@link failureDelayMs}. While a handler runs, the
 * message's ack deadline is extended every third of `ackWaitMs`, so a slow handler never sees its message twice
 * at once, yet a crashed process stops extending and the message comes back after `ackWaitMs`.
 * When the consumer's pull ends for any reason but `stop()` (NATS restarted, the durable deleted) it declares the
 * durable again and resumes, backing off up to 5 s between attempts. While it runs, its lag is reported as the
 * `lifeline.jetstream.consumer.*` gauges.
 */
export function runConsumer(spec: ConsumerSpec): RunningConsumer {
  const { log, durable } = spec;
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  const wake = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const lastOfKey = new Map<string, Promise<void>>();
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const settle = (m: JsMsg, outcome: Outcome) => {
    try {
      if (outcome.kind === 'ack') m.ack();
      else if (outcome.kind === 'retry') m.nak(outcome.delayMs);
      else {
        log.error({ consumer: durable, seq: m.seq, subject: m.subject, reason: outcome.reason }, 'message dropped');
        m.term(outcome.reason);
      }
    } catch (err) {
      // Unsettled, the message comes back after ack wait; the handler's idempotency makes that harmless.
      log.warn({ consumer: durable, seq: m.seq, ...describe(err) }, 'could not settle a message; it will be redelivered');
    }
  };

  async function handleOne(m: JsMsg): Promise<void> {
    const keepAlive = setInterval(() => m.working(), Math.max(1_000, spec.ackWaitMs / 3));
    let outcome: Outcome;
    try {
      const name = spec.spanName?.(m) ?? `consume ${m.subject}`;
      outcome = await inSpan(name, SpanKind.CONSUMER, traceFrom(m.headers), () => spec.handle(m));
    } catch (err) {
      outcome = retry(failureDelayMs(m.info.deliveryCount));
      log.warn({ consumer: durable, seq: m.seq, subject: m.subject, redelivery: m.info.deliveryCount, ...describe(err) }, 'handler failed; redelivering');
    } finally {
      clearInterval(keepAlive);
    }
    settle(m, outcome);
  }

  const keyOf = (m: JsMsg) => {
    try {
      return spec.keyOf?.(m);
    } catch {
      return undefined;
    }
  };

  function schedule(m: JsMsg): void {
    const key = keyOf(m);
    const before = key === undefined ? undefined : lastOfKey.get(key);
    const p: Promise<void> = (before ?? Promise.resolve()).then(() => handleOne(m));
    inFlight.add(p);
    if (key !== undefined) lastOfKey.set(key, p);
    void p.finally(() => {
      inFlight.delete(p);
      if (key !== undefined && lastOfKey.get(key) === p) lastOfKey.delete(key);
    });
  }

  async function consumeUntilEnded(onConsuming: () => void): Promise<void> {
    await declareConsumer(spec);
    const consumer = await jetstream(spec.nc).consumers.get(spec.stream, durable);
    // Missing resources end the pull (instead of the client waiting for them), so the loop below re-creates them.
    messages = await consumer.consume({ max_messages: Math.max(20, spec.concurrency * 2), abort_on_missing_resource: true });
    if (stopped) await messages.close();
    onConsuming();
    for await (const m of messages) {
      if (stopped) {
        // Buffered but never started: back to JetStream at once, for another replica.
        settle(m, retry(0));
        continue;
      }
      schedule(m);
      if (inFlight.size >= spec.concurrency) await Promise.race(inFlight);
    }
  }

  const stopReportingLag = watchConsumerLag(spec.stream, durable, lagReader(spec));
  const done = (async () => {
    let attempt = 0;
    while (!stopped && !spec.nc.isClosed()) {
      try {
        await consumeUntilEnded(() => {
          attempt = 0;
          markReady();
          log.info({ consumer: durable, concurrency: spec.concurrency }, 'consuming');
        });
      } catch (err) {
        if (!stopped) log.warn({ consumer: durable, ...describe(err) }, 'consumer unavailable; retrying');
      }
      if (stopped || spec.nc.isClosed()) break;
      await sleep(reconnectDelayMs(attempt++), undefined, { signal: wake.signal }).catch(() => undefined);
    }
    await Promise.allSettled([...inFlight]);
    stopReportingLag();
    markReady();
  })();

  return {
    ready,
    done,
    async stop() {
      stopped = true;
      wake.abort();
      await messages?.close().catch(() => undefined);
      await done;
    },
  };
}
