import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import type { Execution, HistoryEvent } from '@lifeline/review';

/** The part of Temporal's history event this adapter reads (protobuf JSON shape). */
interface RawEvent {
  eventId?: { toString(): string } | number | null;
  eventTime?: { seconds?: { toString(): string } | number | null; nanos?: number | null } | null;
  [attributes: string]: unknown;
}

type Payloads = { payloads?: Payload[] | null } | null | undefined;

/** Payloads as the workers wrote them: encrypted by the Lifeline codec, then JSON. */
type Decode = (payload: Payload | null | undefined) => Promise<unknown>;

export function payloadDecoder(codec: PayloadCodec | undefined): Decode {
  return async (payload) => {
    if (!payload) return undefined;
    try {
      const [plain] = codec ? await codec.decode([payload]) : [payload];
      return defaultPayloadConverter.fromPayload(plain!);
    } catch {
      return undefined;
    }
  };
}
const timeOf = (e: RawEvent) => new Date(Number(e.eventTime?.seconds?.toString() ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6)).toISOString();
const idOf = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const seconds = (d: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(idOf(d?.seconds) || 0) + (d?.nanos ?? 0) / 1e9;

/** One Temporal history event as a plain `HistoryEvent` (payloads decoded), or undefined for events the review ignores. */
export async function toHistoryEvent(e: RawEvent, decode: Decode): Promise<HistoryEvent | undefined> {
  const at = timeOf(e);
  const first = (p: Payloads) => decode(p?.payloads?.[0]);
  const all = (p: Payloads) => Promise.all((p?.payloads ?? []).map(decode));
  const a = (name: string) => e[name] as Record<string, never> | null | undefined;
  let x;
  if ((x = a('workflowExecutionStartedEventAttributes'))) return { type: 'started', at, input: await first(x['input']) };
  if ((x = a('workflowExecutionCompletedEventAttributes'))) return { type: 'completed', at, result: await first(x['result']) };
  if (a('workflowExecutionFailedEventAttributes')) return { type: 'ended', at, how: 'failed' };
  if (a('workflowExecutionTerminatedEventAttributes')) return { type: 'ended', at, how: 'terminated' };
  if (a('workflowExecutionCanceledEventAttributes')) return { type: 'ended', at, how: 'cancelled' };
  if (a('workflowExecutionTimedOutEventAttributes')) return { type: 'ended', at, how: 'timed-out' };
  if (a('workflowExecutionContinuedAsNewEventAttributes')) return { type: 'ended', at, how: 'continued' };
  if ((x = a('upsertWorkflowSearchAttributesEventAttributes'))) {
    const fields = ((x['searchAttributes'] as { indexedFields?: Record<string, Payload> } | undefined)?.indexedFields ?? {}) as Record<string, Payload>;
    const values: Record<string, unknown[]> = {};
    for (const [key, payload] of Object.entries(fields)) {
      const v = await decode(payload);
      values[key] = Array.isArray(v) ? v : [v];
    }
    return { type: 'search-attributes', at, values };
  }
  if ((x = a('workflowExecutionUpdateAcceptedEventAttributes'))) {
    const request = x['acceptedRequest'] as { meta?: { updateId?: string; identity?: string }; input?: { name?: string; args?: Payloads } } | undefined;
    return { type: 'update-accepted', at, updateId: request?.meta?.updateId ?? '', name: request?.input?.name ?? '', args: await all(request?.input?.args), identity: request?.meta?.identity };
  }
  if ((x = a('workflowExecutionUpdateCompletedEventAttributes'))) {
    const meta = x['meta'] as { updateId?: string } | undefined;
    const outcome = x['outcome'] as { failure?: unknown } | undefined;
    return { type: 'update-completed', at, updateId: meta?.updateId ?? '', ok: !outcome?.failure };
  }
  if ((x = a('timerStartedEventAttributes'))) return { type: 'timer-started', at, timerId: idOf(x['timerId']), seconds: seconds(x['startToFireTimeout']) };
  if ((x = a('timerFiredEventAttributes'))) return { type: 'timer-fired', at, timerId: idOf(x['timerId']) };
  if ((x = a('activityTaskScheduledEventAttributes'))) {
    const type = (x['activityType'] as { name?: string } | undefined)?.name ?? '';
    return { type: 'activity-scheduled', at, scheduledId: idOf(e.eventId), activityType: type, input: await first(x['input']) };
  }
  if ((x = a('activityTaskCompletedEventAttributes'))) return { type: 'activity-completed', at, scheduledId: idOf(x['scheduledEventId']), result: await first(x['result']) };
  if ((x = a('activityTaskFailedEventAttributes')) || (x = a('activityTaskTimedOutEventAttributes'))) {
    return { type: 'activity-failed', at, scheduledId: idOf(x['scheduledEventId']), message: String((x['failure'] as { message?: string } | undefined)?.message ?? 'failed') };
  }
  if ((x = a('markerRecordedEventAttributes')) && x['markerName'] === LOCAL_ACTIVITY_MARKER) return localActivity(x, at, first);
  if ((x = a('workflowExecutionSignaledEventAttributes'))) return { type: 'signal', at, name: String(x['signalName'] ?? ''), input: await first(x['input']) };
  return undefined;
}

/** The SDK's marker for a completed local activity: `details.data` (its bookkeeping, below the codec) and `details.result`. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** A protobuf-JSON timestamp ({ seconds, nanos }) as an ISO time, when it is one. */
function isoOf(v: unknown): string | undefined {
  const ts = v as { seconds?: unknown; nanos?: number } | null | undefined;
  const secs = Number(idOf(ts?.seconds));
  return ts && Number.isFinite(secs) && secs > 0 ? new Date(secs * 1000 + Math.round((ts.nanos ?? 0) / 1e6)).toISOString() : undefined;
}

/**
 * A local activity from its marker: its type and times from the SDK's bookkeeping, its record from the result. The
 * marker holds no input, which is why command records name their step (contracts/src/workflow.ts).
 */
async function localActivity(x: Record<string, never>, at: string, first: (p: Payloads) => Promise<unknown>): Promise<HistoryEvent> {
  const details = (x['details'] ?? {}) as Record<string, Payloads>;
  const data = ((await first(details['data'])) ?? {}) as { activity_type?: unknown; original_schedule_time?: unknown; complete_time?: unknown };
  // The schedule time is the marker's first attempt; the earliest time known is when the command was asked for.
  const times = [isoOf(data.original_schedule_time), isoOf(data.complete_time), at].filter((v): v is string => v !== undefined).sort();
  const failure = x['failure'] as { message?: string } | null | undefined;
  return {
    type: 'local-activity',
    at,
    scheduledAt: times[0] ?? at,
    activityType: String(data.activity_type ?? ''),
    ...(failure ? { failure: String(failure.message ?? 'failed') } : { result: await first(details['result']) }),
  };
}

/** Child runs an execution started (districts from the incident, communities from a district). */
function childrenOf(raw: RawEvent[]): { workflowId: string; runId: string }[] {
  const out: { workflowId: string; runId: string }[] = [];
  for (const e of raw) {
    const started = e['childWorkflowExecutionStartedEventAttributes'] as { workflowExecution?: { workflowId?: string; runId?: string } } | undefined;
    if (started?.workflowExecution?.workflowId && started.workflowExecution.runId) out.push({ workflowId: started.workflowExecution.workflowId, runId: started.workflowExecution.runId });
  }
  return out;
}

const IN_FLIGHT = 8;

/**
 * The incident run and every district and community run it started, each with its decoded history. Children are
 * found through the parents' own `ChildWorkflowExecutionStarted` events (not visibility, which may lag).
 */
export async function readIncidentHistories(client: Client, workflowId: string, codec?: PayloadCodec): Promise<Execution[]> {
  const decode = payloadDecoder(codec);
  const out: Execution[] = [];
  let frontier: { workflowId: string; runId?: string }[] = [{ workflowId }];
  while (frontier.length) {
    const next: { workflowId: string; runId: string }[] = [];
    for (let i = 0; i < frontier.length; i += IN_FLIGHT) {
      const batch = await Promise.all(
        frontier.slice(i, i + IN_FLIGHT).map(async (run) => {
          const handle = client.workflow.getHandle(run.workflowId, run.runId);
          const history = await handle.fetchHistory();
          const raw = (history.events ?? []) as unknown as RawEvent[];
          return { run, raw };
        }),
      );
      for (const { run, raw } of batch) {
        const events = await Promise.all(raw.map((e) => toHistoryEvent(e, decode)));
        out.push({ workflowId: run.workflowId, runId: run.runId ?? '', events: events.filter((e): e is HistoryEvent => e !== undefined) });
        next.push(...childrenOf(raw));
      }
    }
    frontier = next;
  }
  return out;
}
