import { connect } from '@nats-io/transport-node';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import {
  issuesToDetails,
  LifelineError,
  type Endpoint,
  type EventDef,
  type EventEnvelope,
  type RequestOf,
  type ResultOf,
  type DataOf,
  ErrorBody,
} from '@lifeline/contracts';
import { extractTrace, injectTrace, inSpan, SpanKind, context } from './telemetry';
import { recordEvent } from './telemetry-metrics';

export type { NatsConnection, MsgHdrs };

export interface NatsSettings {
  NATS_URL: string;
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
}

/** The one NATS connection helper. */
export async function connectNats(settings: NatsSettings, name: string): Promise<NatsConnection> {
  return connect({
    servers: settings.NATS_URL.split(','),
    name,
    user: settings.NATS_USER,
    pass: settings.NATS_PASSWORD,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
}

/** Headers carrying the active trace context (W3C traceparent). */
export function traceHeaders(): MsgHdrs {
  const h = natsHeaders();
  injectTrace((k, v) => h.set(k, v));
  return h;
}

/** Trace context from a message's headers. */
export function traceFrom(h: MsgHdrs | undefined) {
  return h ? extractTrace((k) => h.get(k) || undefined) : context.active();
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const encodeJson = (value: unknown) => encoder.encode(JSON.stringify(value));
export const decodeJson = (data: Uint8Array): unknown => JSON.parse(decoder.decode(data));

/**
 * Call a service endpoint: validates the request before sending, the reply after receiving, and turns an
 * error reply into a LifelineError with the service's code.
 */
export async function call<E extends Endpoint>(nc: NatsConnection, ep: E, request: RequestOf<E>, opts: { timeoutMs?: number } = {}): Promise<ResultOf<E>> {
  const body = ep.request.safeParse(request);
  if (!body.success) throw new LifelineError('invalid_request', `invalid ${ep.subject} request`, issuesToDetails(body.error));
  return inSpan(`call ${ep.subject}`, SpanKind.CLIENT, context.active(), async () => {
    let reply;
    try {
      reply = await nc.request(ep.subject, encodeJson(body.data), { timeout: opts.timeoutMs ?? 10_000, headers: traceHeaders() });
    } catch (err) {
      throw new LifelineError('unavailable', `${ep.service} did not answer ${ep.subject}: ${(err as Error).message}`);
    }
    const parsed = decodeJson(reply.data) as { ok?: boolean; result?: unknown; error?: unknown };
    if (parsed.ok === true) return ep.result.parse(parsed.result) as ResultOf<E>;
    const error = ErrorBody.safeParse(parsed.error);
    if (error.success) throw new LifelineError(error.data.code, error.data.message, error.data.details);
    throw new LifelineError('internal', `malformed reply on ${ep.subject}`);
  });
}

/** Publishes domain events to JetStream with `Nats-Msg-Id` (dedupe) and trace headers. */
export class EventPublisher {
  private readonly js: JetStreamClient;
  constructor(nc: NatsConnection) {
    this.js = jetstream(nc);
  }

  /** `id` must be deterministic for the fact (e.g. `<reservationId>:issued`) so a retry is deduplicated. */
  async publish<E extends EventDef>(def: E, id: string, data: DataOf<E>, incidentId?: string): Promise<void> {
    const envelope: EventEnvelope<DataOf<E>> = { id, type: `${def.service}.${def.name}`, time: new Date().toISOString(), incidentId, data };
    await this.js.publish(def.subject, encodeJson(envelope), { msgID: id, headers: traceHeaders() });
    recordEvent(envelope.type, data);
  }

  /** Publish raw work items (e.g. broadcast batches). */
  async publishWork(subject: string, id: string, body: unknown): Promise<void> {
    await this.js.publish(subject, encodeJson(body), { msgID: id, headers: traceHeaders() });
  }
}
