/**
 * The workflow histories of an incident, as plain facts. The command-center's adapter turns Temporal's history
 * events into `HistoryEvent`s (payloads already decoded); everything here is pure.
 *
 * What a community command did is read from its typed record (the activity's result, contracts/src/workflow.ts),
 * found by the contracts' activity names. A local activity's marker keeps no input, so the records name their
 * step; only histories recorded before they did (generations v1–v4) fall back to the command's input for it.
 */
import { ACTIVITY, COMMAND_RECORDS, CommunityState, type CommandName, type CommandRecord } from '@lifeline/contracts';

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
  /** A local activity, from its marker: when it was scheduled, and its result or failure (never its input). */
  | { type: 'local-activity'; at: string; scheduledAt: string; activityType: string; result?: unknown; failure?: string | undefined }
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
    else if (e.type === 'local-activity') {
      const outcome = e.failure !== undefined ? { failure: e.failure } : { result: asRecord(e.result) };
      byId.set(`local-${byId.size}`, { activityType: e.activityType, scheduledAt: e.scheduledAt, input: {}, completedAt: e.at, ...outcome });
    }
  }
  return [...byId.values()].sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt));
}

/** The call's typed record, when it is a completed call of that command (undefined for anything else). */
export function recordOf<K extends CommandName>(call: ActivityCall, name: K): CommandRecord<K> | undefined {
  if (call.activityType !== ACTIVITY[name] || !call.result) return undefined;
  const parsed = COMMAND_RECORDS[name].safeParse(call.result);
  return parsed.success ? (parsed.data as CommandRecord<K>) : undefined;
}

/** A field of what the command asked, from histories older than records that echo it (generations v1–v4). */
const askedBefore = (call: ActivityCall, field: string): unknown => call.input[field];
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** The community id of a community run (`incident-<id>/community-<c>`), or undefined for other workflows. */
export function communityOf(workflowId: string): string | undefined {
  return /\/community-([a-z0-9][a-z0-9-]*)$/.exec(workflowId)?.[1];
}

export const isIncidentRun = (workflowId: string) => !workflowId.includes('/');
export const isDistrictRun = (workflowId: string) => /\/district-[a-z0-9][a-z0-9-]*$/.test(workflowId);

/** Every activity call of every community run and district run, with the run's community (undefined for a district) and all calls of that run. */
function* runCalls(executions: readonly Execution[]): Generator<{ own: string | undefined; call: ActivityCall; calls: ActivityCall[] }> {
  for (const execution of executions) {
    const own = communityOf(execution.workflowId);
    if (!own && !isDistrictRun(execution.workflowId)) continue;
    const calls = activityCalls(execution);
    for (const call of calls) yield { own, call, calls };
  }
}

/**
 * Every activity call of every community run, with the run's community and all calls of that run; and the calls a
 * district made for its communities (its warn, patch `district-warns`; its notify and reserve steps, patch
 * `district-steps`), each by the community its record names.
 */
function* communityCalls(executions: readonly Execution[]): Generator<{ communityId: string; call: ActivityCall; calls: ActivityCall[] }> {
  for (const { own, call, calls } of runCalls(executions)) {
    const communityId = own ?? call.result?.communityId;
    if (typeof communityId === 'string') yield { communityId, call, calls };
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
    const calls = activityCalls(execution);
    for (const call of calls) {
      const task = recordOf(call, 'dispatchResponder');
      if (!task) continue;
      tasks.set(task.taskId, {
        taskId: task.taskId,
        communityId,
        stepId: task.stepId ?? String(askedBefore(call, 'stepId') ?? ''),
        role: task.role ?? String(askedBefore(call, 'role') ?? 'unknown'),
        assignedAt: call.completedAt ?? call.scheduledAt,
        owners: task.ownerId !== undefined ? [task.ownerId] : [],
        fallbacks: 0,
        fallbackAt: [],
      });
    }
    for (const call of calls) {
      const moved = recordOf(call, 'fallbackResponder');
      const task = moved ? tasks.get(moved.taskId) : undefined;
      if (!moved || !task) continue;
      task.fallbacks++;
      task.fallbackAt.push(call.scheduledAt);
      if (moved.ownerId !== undefined) task.owners.push(moved.ownerId);
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
    const job = recordOf(call, 'broadcast');
    if (!job) continue;
    // Polled alone (a community run), or with the district's other warnings (`awaitBroadcasts`).
    const polled = (c: ActivityCall) => (recordOf(c, 'awaitBroadcast') ? [recordOf(c, 'awaitBroadcast')!] : (recordOf(c, 'awaitBroadcasts')?.jobs ?? [])).find((j) => j.jobId === job.jobId);
    const pollCall = calls.find((c) => polled(c) !== undefined);
    const poll = pollCall && polled(pollCall);
    const final = poll ?? job;
    out.push({
      communityId,
      stepId: job.stepId ?? String(askedBefore(call, 'stepId') ?? ''),
      channels: job.channels ?? strings(askedBefore(call, 'channels')),
      groups: job.groups ?? strings(asRecord(askedBefore(call, 'audience')).groups),
      startedAt: call.scheduledAt,
      finishedAt: final.completed ? (pollCall?.completedAt ?? call.completedAt) : undefined,
      total: final.total,
      sent: final.sent,
      failed: final.failed,
      completed: final.completed,
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
    const r = recordOf(call, 'reserveSupplies');
    if (!r) continue;
    const lines = r.lines ?? (Array.isArray(askedBefore(call, 'lines')) ? (askedBefore(call, 'lines') as unknown[]).map(asRecord).map((l) => ({ itemCode: String(l.itemCode), quantity: Number(l.quantity ?? 0) })) : []);
    const stepId = r.stepId ?? String(askedBefore(call, 'idempotencyKey') ?? '').split(':').at(-1) ?? '';
    out.push({ communityId, stepId, reservationId: r.reservationId, issued: 0, returned: 0, lines, units: r.units, shortfall: r.shortfall, at: call.completedAt ?? call.scheduledAt });
  }
  // Issue and return run in later phase runs of the same community (or its district), so match them by reservation id afterwards.
  const byId = new Map(out.map((r) => [r.reservationId, r]));
  for (const { call } of runCalls(executions)) {
    const issued = recordOf(call, 'issueSupplies');
    const returned = recordOf(call, 'returnSupplies');
    const r = byId.get((issued ?? returned)?.reservationId ?? '');
    if (!r) continue;
    if (issued) r.issued = r.units;
    if (returned) r.returned = r.issued || r.units;
  }
  return out;
}

/** The community states a run returned when it completed: a community run's own, or every one a district returned. */
function completedStates(execution: Execution): { at: string; state: CommunityState }[] {
  const own = communityOf(execution.workflowId);
  if (!own && !isDistrictRun(execution.workflowId)) return [];
  const out: { at: string; state: CommunityState }[] = [];
  for (const e of execution.events) {
    if (e.type !== 'completed') continue;
    for (const result of own ? [e.result] : Array.isArray(e.result) ? e.result : []) {
      const parsed = CommunityState.safeParse(result);
      if (parsed.success) out.push({ at: e.at, state: parsed.data });
    }
  }
  return out;
}

/**
 * The last completed result of each community: its CommunityState after its last phase run, or after its district's
 * run when that was later (a district returns every community's state); unreadable ones skipped.
 */
export function finalCommunityStates(executions: readonly Execution[]): Map<string, CommunityState> {
  const latest = new Map<string, { at: string; state: CommunityState }>();
  for (const { at, state } of executions.flatMap(completedStates)) {
    const seen = latest.get(state.communityId);
    if (!seen || seen.at <= at) latest.set(state.communityId, { at, state });
  }
  return new Map([...latest].map(([k, v]) => [k, v.state]));
}

export interface SiteFacts {
  communityId: string;
  stepId: string;
  siteIds: string[];
  /** The kind of each site, when the record says (`SiteOutcome.kinds`). */
  kinds?: string[] | undefined;
  /** Places asked for: the record's, or capacity + shortfall when the sites fell short; unknown otherwise. */
  requested?: number | undefined;
  capacity: number;
  shortfall: number;
  openedAt: string;
  closedAt?: string | undefined;
  /** Still open when the community's last run ended: its final state says so, or (state unreadable) no close was found. */
  openAtEnd: boolean;
}

/**
 * The sites every open-site step opened, per community and step, and when they were closed. Whether they were is the
 * community's own record (`CommunityState.sites`): the first run whose state shows them closed closed them, at the
 * time of its close naming one of them — or of its last close, since a drill's sites are never stored as open by
 * supplies and its close names none. A run whose state is unreadable closes them only by a close naming them.
 */
export function siteFacts(executions: readonly Execution[]): SiteFacts[] {
  const out: SiteFacts[] = [];
  for (const { communityId, call } of communityCalls(executions)) {
    const opened = recordOf(call, 'openSites');
    if (!opened) continue;
    const requested = opened.requested ?? (opened.shortfall > 0 ? opened.capacity + opened.shortfall : undefined);
    out.push({
      communityId,
      stepId: opened.stepId ?? String(askedBefore(call, 'stepId') ?? ''),
      siteIds: opened.siteIds,
      kinds: opened.kinds,
      requested,
      capacity: opened.capacity,
      shortfall: opened.shortfall,
      openedAt: call.completedAt ?? call.scheduledAt,
      openAtEnd: true,
    });
  }
  for (const execution of executions) {
    const own = communityOf(execution.workflowId);
    const closes = activityCalls(execution).flatMap((call) => {
      const closed = recordOf(call, 'closeSites');
      const communityId = own ?? closed?.communityId;
      return closed && communityId ? [{ communityId, siteIds: closed.siteIds, at: call.completedAt ?? call.scheduledAt }] : [];
    });
    const states = completedStates(execution);
    for (const facts of out) {
      const mine = closes.filter((c) => c.communityId === facts.communityId);
      const naming = mine.filter((c) => c.siteIds.some((id) => facts.siteIds.includes(id))).at(-1);
      const state = states.filter((s) => s.state.communityId === facts.communityId).at(-1);
      const closedHere = state ? state.state.sites?.some((s) => s.stepId === facts.stepId && s.status === 'closed') : naming !== undefined;
      if (!closedHere) continue;
      const at = naming?.at ?? mine.at(-1)?.at ?? state?.at;
      if (at && (!facts.closedAt || at < facts.closedAt)) facts.closedAt = at;
    }
  }
  const finals = finalCommunityStates(executions);
  for (const facts of out) {
    const record = finals.get(facts.communityId)?.sites?.find((s) => s.stepId === facts.stepId);
    facts.openAtEnd = record ? record.status === 'open' : facts.closedAt === undefined;
  }
  return out.sort((a, b) => a.communityId.localeCompare(b.communityId) || a.openedAt.localeCompare(b.openedAt));
}

/** Seconds between two ISO times (never negative). */
export const secondsBetween = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
