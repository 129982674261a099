/** Bounded concurrency for child workflows (workflow-safe). */
import { patched } from '@temporalio/workflow';
import { PATCHES } from './messages';

/**
 * Children one execution keeps pending at most. Temporal refuses new children past 2,000 pending per execution
 * (limit.numPendingChildExecutions.error); half of it leaves room for retries and signals.
 *
 * Runs recorded before patch `wide-fan-out` kept 50 districts and 200 communities in flight and replay with those.
 * Measured on the 1,000-community city (125 districts of 8): at 50 districts only 400 communities ran at once, and
 * every phase waited for the first districts to finish before the rest started (warned 138 s, reserved 321 s).
 */
export const CHILDREN_IN_FLIGHT = 1_000;
const LEGACY_IN_FLIGHT = { districts: 50, communities: 200 } as const;

/** How many district (or community) children this run starts at once. */
export const inFlight = (level: keyof typeof LEGACY_IN_FLIGHT): number => (patched(PATCHES.wideFanOut) ? CHILDREN_IN_FLIGHT : LEGACY_IN_FLIGHT[level]);

/** Run `fn` over `items` with at most `limit` in flight, in order of start; deterministic under replay. */
export async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
