import type { ErrorCode, personnelContract } from '@lifeline/contracts';

type Status = personnelContract.TaskStatus;

/** Statuses in which a task still needs someone (stand-down closes them). */
export const OPEN_STATUSES: readonly Status[] = ['assigned', 'acknowledged', 'in-progress', 'unassigned'];
/** Statuses in which the owner holds the task (and is therefore busy in the incident). */
export const HELD_STATUSES: readonly Status[] = ['assigned', 'acknowledged', 'in-progress'];

export interface TaskState {
  status: Status;
  ownerId?: string | undefined;
  fallbackKeys?: readonly string[] | undefined;
  pendingFallback?: string | undefined;
}

/** apply = change state; repeat = already there, answer the current task; reject = domain error. */
export type Decision = { kind: 'apply' } | { kind: 'repeat' } | { kind: 'reject'; code: ErrorCode; message: string };

const reject = (code: ErrorCode, message: string): Decision => ({ kind: 'reject', code, message });

/** Only the current owner acknowledges; assigned → acknowledged; a repeat (or a later state) is harmless. */
export function decideAcknowledge(task: TaskState, personId: string): Decision {
  if (task.ownerId !== personId) return reject('forbidden', 'only the current owner may acknowledge this task');
  if (task.status === 'assigned') return { kind: 'apply' };
  if (task.status === 'acknowledged' || task.status === 'in-progress' || task.status === 'done') return { kind: 'repeat' };
  return reject('invalid_state', `a ${task.status} task cannot be acknowledged`);
}

/** Only the current owner completes; from acknowledged or in-progress to done; a repeat is harmless. */
export function decideComplete(task: TaskState, personId: string): Decision {
  if (task.ownerId !== personId) return reject('forbidden', 'only the current owner may complete this task');
  if (task.status === 'acknowledged' || task.status === 'in-progress') return { kind: 'apply' };
  if (task.status === 'done') return { kind: 'repeat' };
  return reject('invalid_state', `a ${task.status} task cannot be completed${task.status === 'assigned' ? ' before it is acknowledged' : ''}`);
}

export type FallbackDecision = Decision | { kind: 'resume' };

/**
 * A fallback moves an unacknowledged task on. Repeat = this key was applied; resume = this key was under
 * way when the service stopped. An owner who acknowledged in time keeps the task (answered as is).
 */
export function decideFallback(task: TaskState, key: string): FallbackDecision {
  if (task.fallbackKeys?.includes(key)) return { kind: 'repeat' };
  if (task.pendingFallback === key) return { kind: 'resume' };
  if (task.pendingFallback !== undefined) return reject('conflict', 'another fallback of this task is under way');
  if (task.status === 'assigned' || task.status === 'unassigned') return { kind: 'apply' };
  if (task.status === 'acknowledged' || task.status === 'in-progress' || task.status === 'done') return { kind: 'repeat' };
  return reject('invalid_state', `a ${task.status} task cannot fall back`);
}
