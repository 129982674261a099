/** Bounded concurrency for child workflows (workflow-safe). */

/**
 * Children each execution keeps pending at most. Temporal refuses new children past 2,000 pending per
 * execution (limit.numPendingChildExecutions.error); staying far below it leaves room for retries and signals.
 */
export const COMMUNITIES_IN_FLIGHT = 200;
export const DISTRICTS_IN_FLIGHT = 50;

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
