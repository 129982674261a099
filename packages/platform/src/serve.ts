import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/nats-core';
import type { z } from 'zod';
import { ErrorBody, issuesToDetails, LifelineError, type Endpoint, type Reply } from '@lifeline/contracts';
import type { Logger } from './logger';
import { decodeJson, encodeJson, traceFrom } from './nats';
import { inSpan, SpanKind } from './telemetry';
import { recordRequest } from './telemetry-metrics';

/** One async handler per endpoint, typed from the contract. */
export type Handlers<T extends Record<string, Endpoint>> = {
  [K in keyof T]: (request: z.infer<T[K]['request']>) => Promise<z.infer<T[K]['result']>>;
};

/** Turn any thrown value into the structured error body a caller receives. */
export function toErrorBody(err: unknown, log: Logger): ErrorBody {
  if (err instanceof LifelineError) return err.toBody();
  log.error({ err }, 'unexpected error');
  return { code: 'internal', message: 'internal error' };
}

/** Validate, run in a server span (parented by the caller's trace), answer `{ok,result}` or `{ok:false,error}`. */
export async function handleMessage<E extends Endpoint>(ep: E, msg: ServiceMsg, handler: (r: z.infer<E['request']>) => Promise<unknown>, log: Logger): Promise<void> {
  const started = performance.now();
  const reply: Reply<unknown> = await inSpan(`serve ${ep.subject}`, SpanKind.SERVER, traceFrom(msg.headers), async () => {
    try {
      let raw: unknown;
      try {
        raw = decodeJson(msg.data);
      } catch {
        throw new LifelineError('invalid_request', 'body is not JSON');
      }
      const parsed = ep.request.safeParse(raw);
      if (!parsed.success) throw new LifelineError('invalid_request', `invalid ${ep.verb} request`, issuesToDetails(parsed.error));
      return { ok: true as const, result: await handler(parsed.data as z.infer<E['request']>) };
    } catch (err) {
      return { ok: false as const, error: toErrorBody(err, log) };
    }
  });
  recordRequest(ep.subject, performance.now() - started, reply.ok ? 'ok' : reply.error.code);
  if (!reply.ok) log.warn({ subject: ep.subject, code: reply.error.code }, reply.error.message);
  msg.respond(encodeJson(reply));
}

/** The contract entries a process serves: all of them on a sandbox stack, all but the `sandboxOnly` ones elsewhere. */
export function servedEndpoints<T extends Record<string, Endpoint>>(endpoints: T, sandbox: boolean): (keyof T & string)[] {
  return (Object.keys(endpoints) as (keyof T & string)[]).filter((key) => sandbox || !endpoints[key]!.sandboxOnly);
}

/**
 * Register a service with the NATS services framework (so `nats micro ls` lists it) and one endpoint per
 * contract entry, on its contract subject, in the service's queue group. Outside a sandbox stack the `sandboxOnly`
 * entries are not registered: their subjects have no responder.
 */
export async function serveEndpoints<T extends Record<string, Endpoint>>(
  nc: NatsConnection,
  info: { name: string; version: string; description: string },
  endpoints: T,
  handlers: Handlers<T>,
  log: Logger,
  options: { sandbox: boolean },
): Promise<Service> {
  const service = await new Svcm(nc).add({ ...info, queue: info.name });
  for (const key of servedEndpoints(endpoints, options.sandbox)) {
    const ep = endpoints[key]!;
    const handler = handlers[key];
    service.addEndpoint(ep.verb, {
      subject: ep.subject,
      metadata: { summary: ep.summary },
      handler: (err, msg) => {
        if (err) {
          log.error({ err, subject: ep.subject }, 'endpoint subscription failed');
          return;
        }
        handleMessage(ep, msg, handler, log).catch((e: unknown) => log.error({ err: e, subject: ep.subject }, 'reply failed'));
      },
    });
  }
  return service;
}
