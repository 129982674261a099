/** Bounded concurrency for child workflows (workflow-safe). */

/**
 * Children each execution keeps pending at most. Temporal refuses new children past 2,000 pending per
 * execution (limit.numPendingChildExecutions.error); staying far below it leaves room for retries and signals.
 */
export const COMMUNITIES_IN_FLIGHT = 200;
/**
 * Measured on the 1,000-community city (125 districts of 8, 2 cores): 50 districts (400 communities at once) warned in
 * 138 s and closed in 574 s; every district at once was slower (193 / 745 s), because the machine is CPU-bound and
 * more runs in flight only add overhead. Raising it needs a `patched()` guard: it changes which child starts when.
 */
export const DISTRICTS_IN_FLIGHT = 50;
/**
 * Districts at once when they run the steps themselves (patch `district-steps`: a segment's leading notify and
 * reserve steps; patch `district-warns`: warnings that are the whole segment): no community runs, so only the
 * district runs and their commands; the worker's per-service bound paces the commands.
 */
export const DISTRICTS_RUNNING_STEPS_IN_FLIGHT = 500;

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
