import { z } from 'zod';

export const SERVICES = ['supplies', 'personnel', 'notification', 'incentives'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** A request/reply endpoint: `lifeline.<service>.<verb>`, its request and its result. */
export interface Endpoint<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  service: ServiceName;
  verb: string;
  subject: string;
  summary: string;
  request: Req;
  result: Res;
  /**
   * A control for tests and drills (the simulated gateway's settings): served only where the stack is a test or drill
   * sandbox (`LIFELINE_SANDBOX`), never on a production-shaped stack, where its subject has no responder.
   */
  sandboxOnly?: true;
}

export function endpoint<Req extends z.ZodType, Res extends z.ZodType>(
  service: ServiceName,
  verb: string,
  summary: string,
  request: Req,
  result: Res,
  options: { sandboxOnly?: true } = {},
): Endpoint<Req, Res> {
  return { service, verb, subject: `lifeline.${service}.${verb}`, summary, request, result, ...options };
}

/** A JetStream domain event: `lifeline.evt.<service>.<event>`. */
export interface EventDef<D extends z.ZodType = z.ZodType> {
  service: ServiceName;
  name: string;
  subject: string;
  summary: string;
  data: D;
}

export function event<D extends z.ZodType>(service: ServiceName, name: string, summary: string, data: D): EventDef<D> {
  return { service, name, subject: `lifeline.evt.${service}.${name}`, summary, data };
}

/** The envelope every event carries; trace context travels in NATS headers, not here. */
export const EventEnvelope = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  time: z.string().datetime(),
  incidentId: z.string().optional(),
  data: z.unknown(),
});
export type EventEnvelope<T = unknown> = Omit<z.infer<typeof EventEnvelope>, 'data'> & { data: T };

export type RequestOf<E extends Endpoint> = z.input<E['request']>;
export type ResultOf<E extends Endpoint> = z.infer<E['result']>;
export type DataOf<E extends EventDef> = z.infer<E['data']>;

/** JetStream streams: domain events (kept) and work items (consumed once). */
export const STREAMS = {
  events: { name: 'LIFELINE_EVENTS', subjects: ['lifeline.evt.>'], retention: 'limits', maxAgeDays: 30, duplicateWindowSeconds: 600 },
  work: { name: 'LIFELINE_WORK', subjects: ['lifeline.work.>'], retention: 'workqueue', maxAgeDays: 7, duplicateWindowSeconds: 600 },
} as const;
