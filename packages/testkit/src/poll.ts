export interface PollOptions<T> {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Wait this long between probes (default 250 ms). */
  everyMs?: number;
  /** Done when this says so; without it, done at the first value that is not `undefined`, `null` or `false`. */
  until?: (value: T) => boolean;
}

const answered = (value: unknown) => value !== undefined && value !== null && value !== false;

/**
 * Probe until the answer is there, then return it; after `timeoutMs` fail naming `what` (and the last answer,
 * when a predicate judged it). The probe runs at least once, even with a zero timeout.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, options: PollOptions<T> = {}): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 250, until } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (until ? until(value as T) : answered(value)) return value as T;
    if (Date.now() >= deadline) {
      const last = until ? `; last: ${JSON.stringify(value)?.slice(0, 2000)}` : '';
      throw new Error(`timed out waiting until ${what} (${timeoutMs} ms)${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
