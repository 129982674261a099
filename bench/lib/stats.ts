/** Percentile math for latency samples (pure; unit tested). */

/**
 * The p-th percentile (0–100) by the nearest-rank method: the smallest sample with at least p % of the samples at
 * or below it. Nearest rank never invents a latency nobody saw, which matters for a p95 over 40 samples.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be within 0–100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Events per second over a duration in milliseconds. */
export function perSecond(count: number, elapsedMs: number): number {
  if (elapsedMs <= 0) throw new Error(`elapsed time must be positive, got ${elapsedMs} ms`);
  return (count * 1000) / elapsedMs;
}
