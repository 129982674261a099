import type { Request, Response } from 'express';
import { DeliverPolicy, jetstream, type ConsumerMessages, type OrderedConsumerOptions } from '@nats-io/jetstream';
import { EventEnvelope, LifelineError, STREAMS, type ErrorBody } from '@lifeline/contracts';
import type { NatsConnection } from '@lifeline/platform';

/** What the live stream needs from the rest of the command-center. */
export interface LiveDeps {
  nc: NatsConnection;
  /** The incident as `GET /v1/incidents/:id` answers it; throws a LifelineError when it cannot. */
  detail: (incidentId: string) => Promise<{ phase: string; status: string }>;
  pollMs: number;
  heartbeatMs: number;
}

/** One JetStream event of the incident, as the console receives it (`event: event`, `id: <stream sequence>`). */
export interface LiveEvent {
  seq: number;
  subject: string;
  type: string;
  time: string;
  data: unknown;
}

/** Server-sent events framing: `event`, optional `id`, one `data` line of JSON. */
export function sseFrame(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Where the event replay starts: after the last event the client saw (`Last-Event-ID`, a stream sequence) when it
 * reconnects, else at the incident's start, so a console opened late still sees the whole story.
 */
export function replayFrom(lastEventId: string | undefined, startedAt: Date): Partial<OrderedConsumerOptions> {
  const seq = Number(lastEventId);
  if (lastEventId !== undefined && Number.isSafeInteger(seq) && seq > 0) return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq + 1 };
  return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startedAt.toISOString() };
}

/** The incident an event belongs to: the envelope's, else its data's. */
export function incidentOf(body: unknown): { envelope: EventEnvelope; incidentId?: string } | undefined {
  const parsed = EventEnvelope.safeParse(body);
  if (!parsed.success) return undefined;
  const fromData = (parsed.data.data as { incidentId?: unknown } | null)?.incidentId;
  return { envelope: parsed.data, incidentId: parsed.data.incidentId ?? (typeof fromData === 'string' ? fromData : undefined) };
}

/**
 * `GET /v1/incidents/:id/events`: a text/event-stream of `status` (the incident detail whenever it changes, polled
 * from the workflow's status query), `event` (each JetStream event of this incident, id = stream sequence) and
 * `end` (the incident closed). Comments keep idle proxies from closing the connection.
 */
export async function streamIncident(req: Request, res: Response, incidentId: string, startedAt: Date, deps: LiveDeps): Promise<void> {
  const first = await deps.detail(incidentId); // a missing incident is a 404 before any byte is streamed
  res.status(200);
  res.set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();

  let open = true;
  let messages: ConsumerMessages | undefined;
  const timers: NodeJS.Timeout[] = [];
  const send = (event: string, data: unknown, id?: number) => {
    if (open) res.write(sseFrame(event, data, id));
  };
  const close = () => {
    if (!open) return;
    open = false;
    for (const t of timers) clearInterval(t);
    void messages?.close();
    res.end();
  };
  req.on('close', close);

  let last = JSON.stringify(first);
  send('status', first);
  const closedNow = (view: { phase: string; status: string }) => view.phase === 'closed' || view.status !== 'running';
  if (closedNow(first)) send('end', { phase: first.phase, status: first.status });

  timers.push(setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs));
  let polling = false;
  timers.push(
    setInterval(() => {
      if (polling || !open) return;
      polling = true;
      deps
        .detail(incidentId)
        .then((view) => {
          const text = JSON.stringify(view);
          if (text !== last) {
            last = text;
            send('status', view);
            if (closedNow(view)) send('end', { phase: view.phase, status: view.status });
          }
        })
        .catch((err: unknown) => send('problem', (err instanceof LifelineError ? err.toBody() : { code: 'unavailable', message: String(err) }) satisfies ErrorBody))
        .finally(() => {
          polling = false;
        });
    }, deps.pollMs),
  );

  try {
    const consumer = await jetstream(deps.nc).consumers.get(STREAMS.events.name, { filter_subjects: [...STREAMS.events.subjects], ...replayFrom(req.header('last-event-id'), startedAt) });
    if (!open) return;
    messages = await consumer.consume();
    for await (const m of messages) {
      let body: unknown;
      try {
        body = m.json();
      } catch {
        continue;
      }
      const found = incidentOf(body);
      if (found?.incidentId !== incidentId) continue;
      const live: LiveEvent = { seq: m.seq, subject: m.subject, type: found.envelope.type, time: found.envelope.time, data: found.envelope.data };
      send('event', live, m.seq);
    }
  } catch (err) {
    send('problem', { code: 'unavailable', message: `event stream unavailable: ${(err as Error).message}` } satisfies ErrorBody);
  }
}
