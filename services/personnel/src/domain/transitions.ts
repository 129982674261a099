import type { ErrorCode, personnelContract } from '@lifeline/contracts';

type Status = personnelContract.TaskStatus;

/** Statuses in which a task still needs someone or is being worked on (stand-down closes them). */
export const OPEN_STATUSES: readonly Status[] = ['assigned', 'acknowledged', 'in-progress', 'unassigned', 'timed-out', 'declined'];
/** Statuses in which the owner holds the task (and is therefore busy in the incident). */
export const HELD_STATUSES: readonly Status[] = ['assigned', 'acknowledged', 'in-progress'];

/** How one owner's time with a task ended. */
export type SpellOutcome = 'timed-out' | 'declined' | 'done' | 'stood-down';

/** One owner's time with a task: when it was given, acknowledged and how it ended. */
export interface Spell {
  ownerId: string;
  assignedAt: Date;
  acknowledgedAt?: Date | null | undefined;
  endedAt?: Date | null | undefined;
  outcome?: SpellOutcome | null | undefined;
}

export interface TaskState {
  status: Status;
  ownerId?: string | null | undefined;
  fallbackKeys?: readonly string[] | undefined;
  /** The current owner's acknowledgement deadline, when the dispatch asked the service to keep one. */
  ackDueAt?: Date | null | undefined;
  ackDeadlineSeconds?: number | null | undefined;
  spells?: readonly Spell[] | undefined;
}

/** apply = change state; repeat = already there, answer the current task; reject = domain error. */
export type Decision = { kind: 'apply' } | { kind: 'repeat' } | { kind: 'reject'; code: ErrorCode; message: string };

const reject = (code: ErrorCode, message: string): Decision => ({ kind: 'reject', code, message });
const APPLY: Decision = { kind: 'apply' };
const REPEAT: Decision = { kind: 'repeat' };

/** Only the current owner acknowledges; assigned → acknowledged; a repeat (or a later state) is harmless. */
export function decideAcknowledge(task: TaskState, personId: string): Decision {
  if (task.ownerId !== personId) return reject('forbidden', 'only the current owner may acknowledge this task');
  if (task.status === 'assigned') return APPLY;
  if (task.status === 'acknowledged' || task.status === 'in-progress' || task.status === 'done') return REPEAT;
  return reject('invalid_state', `a ${task.status} task cannot be acknowledged`);
}

/** Only the current owner starts; acknowledged → in-progress; a repeat (or done) is harmless. */
export function decideStart(task: TaskState, personId: string): Decision {
  if (task.ownerId !== personId) return reject('forbidden', 'only the current owner may start this task');
  if (task.status === 'acknowledged') return APPLY;
  if (task.status === 'in-progress' || task.status === 'done') return REPEAT;
  return reject('invalid_state', `a ${task.status} task cannot be started${task.status === 'assigned' ? ' before it is acknowledged' : ''}`);
}

/** Only the current owner completes; from acknowledged or in-progress to done; a repeat is harmless. */
export function decideComplete(task: TaskState, personId: string): Decision {
  if (task.ownerId !== personId) return reject('forbidden', 'only the current owner may complete this task');
  if (task.status === 'acknowledged' || task.status === 'in-progress') return APPLY;
  if (task.status === 'done') return REPEAT;
  return reject('invalid_state', `a ${task.status} task cannot be completed${task.status === 'assigned' ? ' before it is acknowledged' : ''}`);
}

/** The owner declines before acknowledging; a person who already declined this task repeats harmlessly. */
export function decideDecline(task: TaskState, personId: string): Decision {
  if (task.spells?.some((s) => s.ownerId === personId && s.outcome === 'declined')) return REPEAT;
  if (task.ownerId !== personId) return reject('forbidden', 'only the current owner may decline this task');
  if (task.status === 'assigned') return APPLY;
  return reject('invalid_state', `a ${task.status} task cannot be declined`);
}

/**
 * A fallback moves an unacknowledged task on (the workflow's timer or an operator). Once per key. It is answered
 * with the task as is when: the named `ownerId` no longer holds it (it moved on already); the service keeps the
 * deadline and the current owner still has time (the service's own sweep moved it, or will); the owner
 * acknowledged. A task nobody holds is tried again.
 */
export function decideFallback(task: TaskState, key: string, now: Date, ownerId?: string): Decision {
  if (task.fallbackKeys?.includes(key)) return REPEAT;
  if (task.status === 'stood-down') return reject('invalid_state', 'a stood-down task cannot fall back');
  if (ownerId !== undefined && (task.ownerId ?? undefined) !== ownerId) return REPEAT;
  if (task.status === 'assigned') return ownerId === undefined && task.ackDueAt && now < task.ackDueAt ? REPEAT : APPLY;
  if (task.status === 'unassigned' || task.status === 'timed-out' || task.status === 'declined') return APPLY;
  return REPEAT;
}

/** The service's own deadline sweep: an assigned task whose stored deadline has passed. */
export function isOverdue(task: TaskState, now: Date): boolean {
  return task.status === 'assigned' && Boolean(task.ownerId) && Boolean(task.ackDueAt) && task.ackDueAt! <= now;
}

/** An owner's service-kept deadline runs (the sweeper's indexed `awaitingAck` follows from this). */
export function awaitsAck(task: Pick<TaskState, 'status' | 'ownerId' | 'ackDueAt'>): boolean {
  return task.status === 'assigned' && Boolean(task.ownerId) && Boolean(task.ackDueAt);
}

/** Spells with the current one closed as `outcome` at `now`. */
export function closeSpell(spells: readonly Spell[], ownerId: string | null | undefined, outcome: SpellOutcome, now: Date): Spell[] {
  return spells.map((s, i) => (i === spells.length - 1 && s.ownerId === ownerId && !s.outcome ? { ...s, outcome, endedAt: now } : s));
}

/** Spells with the current one acknowledged at `now`. */
export function acknowledgeSpell(spells: readonly Spell[], ownerId: string, now: Date): Spell[] {
  return spells.map((s, i) => (i === spells.length - 1 && s.ownerId === ownerId ? { ...s, acknowledgedAt: now } : s));
}

/** When a new owner must acknowledge by, if the task keeps a deadline. */
export function dueAt(task: Pick<TaskState, 'ackDeadlineSeconds'>, now: Date): Date | null {
  return task.ackDeadlineSeconds ? new Date(now.getTime() + task.ackDeadlineSeconds * 1000) : null;
}
