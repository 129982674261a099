/**
 * The workflow histories of an incident, as plain facts. The command-center's adapter turns Temporal's history
 * events into `HistoryEvent`s (payloads already decoded); everything here is pure.
 */

export type HistoryEvent =
  | { type: 'started'; at: string; input: unknown }
  | { type: 'completed'; at: string; result: unknown }
  | { type: 'ended'; at: string; how: 'failed' | 'terminated' | 'cancelled' | 'timed-out' | 'continued' }
  | { type: 'search-attributes'; at: string; values: Record<string, unknown[]> }
  | { type: 'update-accepted'; at: string; updateId: string; name: string; args: unknown[]; identity?: string | undefined }
  | { type: 'update-completed'; at: string; updateId: string; ok: boolean }
  | { type: 'timer-started'; at: string; timerId: string; seconds: number }
  | { type: 'timer-fired'; at: string; timerId: string }
  | { type: 'activity-scheduled'; at: string; scheduledId: string; activityType: string; input: unknown }
  | { type: 'activity-completed'; at: string; scheduledId: string; result: unknown }
  | { type: 'activity-failed'; at: string; scheduledId: string; message: string }
  | { type: 'signal'; at: string; name: string; input: unknown };

/** One run of one workflow (the incident, a district or a community phase run). */
export interface Execution {
  workflowId: string;
  runId: string;
  events: HistoryEvent[];
}

export interface ActivityCall {
  activityType: string;
  scheduledAt: string;
  input: Record<string, unknown>;
  completedAt?: string | undefined;
  result?: Record<string, unknown> | undefined;
  failure?: string | undefined;
}

const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Pair every scheduled activity with its completion or failure, in schedule order. */
export function activityCalls(execution: Execution): ActivityCall[] {
  const byId = new Map<string, ActivityCall>();
  for (const e of execution.events) {
    if (e.type === 'activity-scheduled') byId.set(e.scheduledId, { activityType: e.activityType, scheduledAt: e.at, input: asRecord(e.input) });
    else if (e.type === 'activity-completed') Object.assign(byId.get(e.scheduledId) ?? {}, { completedAt: e.at, result: asRecord(e.result) });
    else if (e.type === 'activity-failed') Object.assign(byId.get(e.scheduledId) ?? {}, { completedAt: e.at, failure: e.message });
  }
  return [...byId.values()];
}

/** The community id of a community run (`incident-<id>/community-<c>`), or undefined for other workflows. */
export function communityOf(workflowId: string): string | undefined {
  return /\/community-([a-z0-9][a-z0-9-]*)$/.exec(workflowId)?.[1];
}

export const isIncidentRun = (workflowId: string) => !workflowId.includes('/');

/** Every activity call of every community run, with the run's community and all calls of that run. */
function* communityCalls(executions: readonly Execution[]): Generator<{ communityId: string; call: ActivityCall; calls: ActivityCall[] }> {
  for (const execution of executions) {
    const communityId = communityOf(execution.workflowId);
    if (!communityId) continue;
    const calls = activityCalls(execution);
    for (const call of calls) yield { communityId, call, calls };
  }
}

export interface TaskFacts {
  taskId: string;
  communityId: string;
  stepId: string;
  role: string;
  assignedAt: string;
  /** Owners in order (the first assignment, then each fallback). */
  owners: string[];
  fallbacks: number;
  /** When each fallback moved the task on (the deadline rule `fallback-to-backup` firing). */
  fallbackAt: string[];
  acknowledgedAt?: string | undefined;
  acknowledgedBy?: string | undefined;
  doneAt?: string | undefined;
  hours?: number | undefined;
}

/** Every dispatched task across the community runs, with its assignment, fallbacks and acknowledgement times. */
export function taskFacts(executions: readonly Execution[]): TaskFacts[] {
  const tasks = new Map<string, TaskFacts>();
  const signals: { at: string; input: Record<string, unknown> }[] = [];
  for (const execution of executions) {
    const communityId = communityOf(execution.workflowId);
    if (!communityId) continue;
    for (const call of activityCalls(execution)) {
      const taskId = typeof call.result?.taskId === 'string' ? call.result.taskId : undefined;
      if (call.activityType === 'dispatchResponder' && taskId) {
        tasks.set(taskId, {
          taskId,
          communityId,
          stepId: String(call.input.stepId ?? ''),
          role: String(call.input.role ?? 'unknown'),
          assignedAt: call.completedAt ?? call.scheduledAt,
          owners: typeof call.result?.ownerId === 'string' ? [call.result.ownerId] : [],
          fallbacks: 0,
          fallbackAt: [],
        });
      }
    }
    for (const call of activityCalls(execution)) {
      const taskId = typeof call.input.taskId === 'string' ? call.input.taskId : undefined;
      const task = taskId ? tasks.get(taskId) : undefined;
      if (call.activityType === 'fallbackResponder' && task && call.result) {
        task.fallbacks++;
        task.fallbackAt.push(call.scheduledAt);
        if (typeof call.result.ownerId === 'string') task.owners.push(call.result.ownerId);
      }
    }
    for (const e of execution.events) if (e.type === 'signal' && e.name === 'taskProgress') signals.push({ at: e.at, input: asRecord(e.input) });
  }
  signals.sort((a, b) => a.at.localeCompare(b.at));
  for (const { at, input } of signals) {
    const task = tasks.get(String(input.taskId));
    if (!task) continue;
    if (!task.acknowledgedAt) Object.assign(task, { acknowledgedAt: at, acknowledgedBy: typeof input.ownerId === 'string' ? input.ownerId : undefined });
    if (input.status === 'done' && !task.doneAt) Object.assign(task, { doneAt: at, hours: typeof input.hours === 'number' ? input.hours : undefined });
  }
  return [...tasks.values()].sort((a, b) => a.assignedAt.localeCompare(b.assignedAt) || a.taskId.localeCompare(b.taskId));
}

export interface BroadcastFacts {
  communityId: string;
  stepId: string;
  channels: string[];
  groups: string[];
  startedAt: string;
  finishedAt?: string | undefined;
  total: number;
  sent: number;
  failed: number;
  completed: boolean;
  /** The run waited for the job's end (`awaitBroadcast`), so `sent`/`total` are its outcome; a stand-down's all-clear is not waited for. */
  awaited: boolean;
}

/** Every broadcast a community run started, with when it was asked for and when its last batch was sent. */
export function broadcastFacts(executions: readonly Execution[]): BroadcastFacts[] {
  const out: BroadcastFacts[] = [];
  for (const { communityId, call, calls } of communityCalls(executions)) {
    if (call.activityType !== 'broadcast' || !call.result) continue;
    const jobId = call.result.jobId;
    const poll = calls.find((c) => c.activityType === 'awaitBroadcast' && c.input.jobId === jobId && c.result);
    const final = poll?.result ?? call.result;
    const audience = asRecord(call.input.audience);
    out.push({
      communityId,
      stepId: String(call.input.stepId ?? ''),
      channels: Array.isArray(call.input.channels) ? call.input.channels.map(String) : [],
      groups: Array.isArray(audience.groups) ? audience.groups.map(String) : [],
      startedAt: call.scheduledAt,
      finishedAt: final.completed === true ? (poll?.completedAt ?? call.completedAt) : undefined,
      total: Number(final.total ?? 0),
      sent: Number(final.sent ?? 0),
      failed: Number(final.failed ?? 0),
      completed: final.completed === true,
      awaited: poll !== undefined,
    });
  }
  return out;
}

export interface ReservationFacts {
  communityId: string;
  stepId: string;
  reservationId: string;
  /** Units handed out (respond) and brought back (recover), from the issue and return commands. */
  issued: number;
  returned: number;
  lines: { itemCode: string; quantity: number }[];
  units: number;
  shortfall: number;
  at: string;
}

/** Every reservation a community run made: what it asked for per item, what it got, what was missing. */
export function reservationFacts(executions: readonly Execution[]): ReservationFacts[] {
  const out: ReservationFacts[] = [];
  for (const { communityId, call } of communityCalls(executions)) {
    if (call.activityType !== 'reserveSupplies' || !call.result) continue;
    const reservationId = String(call.result.reservationId ?? '');
    const lines = Array.isArray(call.input.lines) ? call.input.lines.map((l) => asRecord(l)).map((l) => ({ itemCode: String(l.itemCode), quantity: Number(l.quantity ?? 0) })) : [];
    const key = String(call.input.idempotencyKey ?? '');
    out.push({ communityId, stepId: key.split(':').at(-1) ?? '', reservationId, issued: 0, returned: 0, lines, units: Number(call.result.units ?? 0), shortfall: Number(call.result.shortfall ?? 0), at: call.completedAt ?? call.scheduledAt });
  }
  // Issue and return run in later phase runs of the same community, so match them by reservation id afterwards.
  const byId = new Map(out.map((r) => [r.reservationId, r]));
  for (const { call } of communityCalls(executions)) {
    const r = byId.get(String(call.input.reservationId ?? ''));
    if (!r || !call.result) continue;
    if (call.activityType === 'issueSupplies') r.issued = r.units;
    if (call.activityType === 'returnSupplies') r.returned = r.issued || r.units;
  }
  return out;
}

/** The last completed result of each community (its CommunityState after its last phase run). */
export function finalCommunityStates(executions: readonly Execution[]): Map<string, Record<string, unknown>> {
  const latest = new Map<string, { at: string; state: Record<string, unknown> }>();
  for (const execution of executions) {
    const communityId = communityOf(execution.workflowId);
    if (!communityId) continue;
    for (const e of execution.events) {
      if (e.type !== 'completed') continue;
      const seen = latest.get(communityId);
      if (!seen || seen.at <= e.at) latest.set(communityId, { at: e.at, state: asRecord(e.result) });
    }
  }
  return new Map([...latest].map(([k, v]) => [k, v.state]));
}

/** Seconds between two ISO times (never negative). */
export const secondsBetween = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
