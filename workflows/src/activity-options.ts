/** Timeouts and retry policies for every activity the workflows call (workflow-safe: no Node imports). */
import { ActivityFailure, ApplicationFailure, isCancellation, type ActivityOptions, type LocalActivityOptions, type RetryPolicy } from '@temporalio/workflow';

/** Error codes (ApplicationFailure types) a retry cannot fix; mirrors activities.ts RETRYABLE_CODES. */
export const NON_RETRYABLE_CODES = ['invalid_request', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'insufficient_stock', 'no_candidate', 'invalid_state'];

const retry: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE_CODES };

/**
 * Commands to a service: one NATS request each (WORKER_REQUEST_TIMEOUT_MS inside, 20 s by default, after waiting
 * for its turn among the worker's requests to that service), retried with backoff while the service is
 * unavailable — for up to an hour, so a service restart pauses the step instead of losing its side effect.
 */
export const commandOptions: ActivityOptions = { startToCloseTimeout: '60s', scheduleToCloseTimeout: '1h', retry };

/**
 * The same commands as local activities: run by the worker that runs the workflow task, recorded as a marker, with no
 * activity task through the server (the incident's `resolveArea`, on the way from the POST to the first warning).
 * Measured on the dev server (2 cores, load 6.9): 300 children of two commands took 25.0 s as activities and 10.0 s
 * as local activities. A worker lost mid-command reruns the workflow task and so the command, which its idempotency
 * key makes harmless.
 */
export const localCommandOptions: LocalActivityOptions = { startToCloseTimeout: '60s', scheduleToCloseTimeout: '1h', retry };

/**
 * Polling a broadcast until the step's deadline: heartbeats so a lost worker is noticed within 30 s. A poll that
 * cannot reach notification (no responders while it restarts, a request timeout, a reconnect: `unavailable`) is
 * retried every few seconds for the whole deadline and, past it, until notification answers (for up to an hour,
 * as commands are), so the step settles on notification's own figures; only notification's refusal (a
 * non-retryable code) fails it. Three attempts used to end a poll 3 s into a restart of notification, and the warn
 * step was recorded failed while every message was sent. Not compared on replay: no patch (docs/WORKFLOW-CHANGES.md).
 */
export const pollOptions = (deadlineSeconds: number): ActivityOptions => ({
  startToCloseTimeout: `${deadlineSeconds + 60}s`,
  scheduleToCloseTimeout: `${deadlineSeconds + 3600}s`,
  heartbeatTimeout: '30s',
  retry: { ...retry, maximumInterval: '5s' },
});

/** The service's error code behind an activity failure, or a short description. */
export function failureReason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'error'}: ${cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Rethrow cancellations (stand-down) so they unwind the workflow; return anything else as a reason to record. */
export function unlessCancelled(err: unknown): string {
  if (isCancellation(err)) throw err;
  return failureReason(err);
}
