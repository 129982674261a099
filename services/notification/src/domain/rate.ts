/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. `take(n)` waits until n tokens are
 * available (a request larger than the burst waits for the deficit), so a channel never exceeds its rate on average.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Milliseconds to wait before `n` tokens can be taken, given the current fill (pure arithmetic). */
  static delayFor(tokens: number, n: number, ratePerSecond: number): number {
    return tokens >= n ? 0 : ((n - tokens) / ratePerSecond) * 1000;
  }

  take(n: number): Promise<void> {
    const turn = this.queue.then(async () => {
      const t = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
      this.last = t;
      const delay = TokenBucket.delayFor(this.tokens, n, this.ratePerSecond);
      this.tokens -= n;
      if (delay > 0) await this.wait(delay);
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

/** Seconds to reach `transmissions` at `ratePerSecond` (the prediction shown before and during a broadcast). */
export function predictSeconds(transmissions: number, ratePerSecond: number): number {
  return ratePerSecond > 0 ? Math.round((transmissions / ratePerSecond) * 10) / 10 : 0;
}
