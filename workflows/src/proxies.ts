/**
 * The commands the workflows send the services, each saying in one line what it does: the first argument of every
 * call is its summary (`domain/summaries.ts`), recorded as the user metadata of the history event that schedules it
 * (`ActivityTaskScheduled`, or a local activity's marker). Metadata is not part of the command sequence: histories
 * recorded without it replay unchanged (docs/WORKFLOW-CHANGES.md). Workflow-safe.
 */
import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { ACTIVITY_NAMES } from '@lifeline/contracts/inbound';
import type { Activities } from './activities';

type Said<F> = F extends (...args: infer A) => infer R ? (summary: string, ...args: A) => R : never;

/** Every activity, called with its summary first. */
export type Commands = { readonly [K in keyof Activities]: Said<Activities[K]> };

type WithOptions<O> = (options: O, args: unknown[]) => Promise<unknown>;

function saying<O>(proxy: Record<keyof Activities, { executeWithOptions: unknown }>, options: (summary: string) => O): Commands {
  const call = (name: keyof Activities) => (summary: string, ...args: unknown[]) => (proxy[name].executeWithOptions as WithOptions<O>)(options(summary), args);
  return Object.fromEntries(ACTIVITY_NAMES.map((name) => [name, call(name)])) as unknown as Commands;
}

/**
 * Commands as activities through the server, with these timeouts and retries. `executeWithOptions` (experimental in
 * SDK 1.24) merges the per-call summary into them.
 */
export const commandsWith = (options: ActivityOptions): Commands => saying(proxyActivities<Activities>(options), (summary): ActivityOptions => ({ summary }));

/** The same as local activities (`activity-options.ts` says when, and what it saves). */
export const localCommandsWith = (options: LocalActivityOptions): Commands =>
  saying(proxyLocalActivities<Activities>(options), (summary): LocalActivityOptions => ({ summary }));
