import { ALL_ENDPOINTS, ALL_EVENTS } from '../catalog';
import { EventEnvelope, STREAMS, type Endpoint, type EventDef } from '../define';
import { ErrorBody, replySchema } from '../errors';
import { mergeComponents, pascal, sortKeys, toComponents, type JsonSchema } from './json-schema';

export const ASYNCAPI_VERSION = '3.0.0';
const SCHEMAS = '#/components/schemas/';
const ref = (path: string) => ({ $ref: path });
/** AsyncAPI 3.0's default schema format is a superset of JSON Schema draft-07. */
const TARGET = 'draft-7' as const;

const REQUEST_HEADERS: JsonSchema = {
  type: 'object',
  properties: {
    traceparent: { type: 'string', description: 'W3C trace context of the caller (tracestate may follow).' },
    tracestate: { type: 'string' },
  },
};

const EVENT_HEADERS: JsonSchema = {
  type: 'object',
  properties: {
    'Nats-Msg-Id': { type: 'string', description: `The event id (also envelope.id), deterministic for the fact; JetStream drops a repeat within ${STREAMS.events.duplicateWindowSeconds} s.` },
    traceparent: { type: 'string', description: 'W3C trace context of the publisher (tracestate may follow).' },
    tracestate: { type: 'string' },
  },
  required: ['Nats-Msg-Id'],
};

const names = (ep: Endpoint) => {
  const base = pascal(ep.service, ep.verb);
  return { base, request: `${base}Request`, result: `${base}Result`, reply: `${base}Reply` };
};
const eventNames = (ev: EventDef) => {
  const base = pascal(ev.service, ev.name);
  return { base, data: `${base}Data`, event: `${base}Event` };
};

function byKey<T>(items: T[], key: (t: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The AsyncAPI 3.0 document of every NATS request/reply endpoint and JetStream event in the catalogue (deterministic). */
export function buildAsyncApi(): Record<string, unknown> {
  const endpoints = byKey(ALL_ENDPOINTS, (e) => e.subject);
  const events = byKey(ALL_EVENTS, (e) => e.subject);
  const componentMaps: Record<string, JsonSchema>[] = [toComponents([['ErrorBody', ErrorBody]], { io: 'output', target: TARGET, refPrefix: SCHEMAS })];
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const ep of endpoints) {
    const n = names(ep);
    componentMaps.push(toComponents([[n.request, ep.request]], { io: 'input', target: TARGET, refPrefix: SCHEMAS }));
    componentMaps.push(
      toComponents(
        [
          ['ErrorBody', ErrorBody],
          [n.result, ep.result],
          [n.reply, replySchema(ep.result), `Reply on ${ep.subject}: \`{ ok: true, result }\` or \`{ ok: false, error }\`.`],
        ],
        { io: 'output', target: TARGET, refPrefix: SCHEMAS },
      ),
    );
    messages[n.request] = { name: n.request, title: `${ep.subject} request`, summary: ep.summary, contentType: 'application/json', headers: REQUEST_HEADERS, payload: ref(`${SCHEMAS}${n.request}`) };
    messages[n.reply] = { name: n.reply, title: `${ep.subject} reply`, contentType: 'application/json', payload: ref(`${SCHEMAS}${n.reply}`) };
    channels[ep.subject] = {
      address: ep.subject,
      title: ep.subject,
      description: `${ep.summary} Served by the ${ep.service} service (NATS services framework, queue group \`${ep.service}\`).`,
      messages: { [n.request]: ref(`#/components/messages/${n.request}`) },
    };
    channels[`${ep.subject}.reply`] = {
      address: null,
      description: `The caller's reply inbox (\`_INBOX.>\`) for ${ep.subject}.`,
      messages: { [n.reply]: ref(`#/components/messages/${n.reply}`) },
    };
    operations[ep.subject] = {
      action: 'send',
      title: `${ep.service}.${ep.verb}`,
      summary: ep.summary,
      channel: ref(`#/channels/${ep.subject}`),
      messages: [ref(`#/channels/${ep.subject}/messages/${n.request}`)],
      reply: { channel: ref(`#/channels/${ep.subject}.reply`), messages: [ref(`#/channels/${ep.subject}.reply/messages/${n.reply}`)] },
      tags: [{ name: ep.service }, { name: 'request-reply' }],
    };
  }

  for (const ev of events) {
    const n = eventNames(ev);
    const envelope = EventEnvelope.extend({ type: EventEnvelope.shape.type.describe(`Always \`${ev.service}.${ev.name}\`.`), data: ev.data });
    componentMaps.push(
      toComponents(
        [
          [n.data, ev.data],
          [n.event, envelope, `The event envelope on ${ev.subject}; data is ${n.data}.`],
        ],
        { io: 'output', target: TARGET, refPrefix: SCHEMAS },
      ),
    );
    messages[n.event] = { name: n.event, title: ev.subject, summary: ev.summary, contentType: 'application/json', headers: EVENT_HEADERS, payload: ref(`${SCHEMAS}${n.event}`) };
    channels[ev.subject] = {
      address: ev.subject,
      title: ev.subject,
      description: `${ev.summary} Published by the ${ev.service} service to the JetStream stream ${STREAMS.events.name} (${STREAMS.events.subjects.join(', ')}; kept ${STREAMS.events.maxAgeDays} days).`,
      messages: { [n.event]: ref(`#/components/messages/${n.event}`) },
      'x-jetstream-stream': STREAMS.events.name,
    };
    operations[ev.subject] = {
      action: 'receive',
      title: `${ev.service}.${ev.name}`,
      summary: ev.summary,
      channel: ref(`#/channels/${ev.subject}`),
      messages: [ref(`#/channels/${ev.subject}/messages/${n.event}`)],
      tags: [{ name: ev.service }, { name: 'event' }],
    };
  }

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Lifeline NATS API',
      version: '1.0.0',
      description:
        'Request/reply endpoints (`lifeline.<service>.<verb>`, NATS services framework) and JetStream domain events (`lifeline.evt.<service>.<event>`) of the Lifeline services. ' +
        'Generated from the zod contracts in contracts/src by `npm run api-docs`; do not edit by hand. Requests are sent from a caller\'s point of view; events are received by consumers.',
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:4222', protocol: 'nats', description: 'The local stack (per-service users and permissions).' } },
    channels: sortKeys(channels),
    operations: sortKeys(operations),
    components: { schemas: mergeComponents(...componentMaps), messages: sortKeys(messages) },
  };
}
