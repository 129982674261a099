import type { Request, RequestHandler } from 'express';
import { MemoryStore, rateLimit, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import type { Model } from 'mongoose';
import { LifelineError } from '@lifeline/contracts';
import { isDuplicateKey } from '@lifeline/platform';
import { authOf } from './auth';
import type { RateWindowDoc } from './model/rate-window';

/** The limit's window: a caller's changes are counted per clock minute, the same minute on every replica. */
export const WINDOW_MS = 60_000;

/** The window `now` falls in (epoch-aligned, so every replica counts into the same document). */
export const windowStart = (now: number, windowMs: number) => Math.floor(now / windowMs) * windowMs;

/** Rejects when `promise` has not settled within `ms`. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export interface SharedWindowOptions {
  /** The caller's key as stored (a blind index, so no operator id sits in the store in clear). */
  keyOf: (key: string) => string;
  /** How long a count may take before this request is counted in process memory instead. */
  timeoutMs: number;
  /** Told once a window when the shared count failed and process memory counted instead. */
  warn: (err: unknown) => void;
  now?: () => number;
}

/**
 * An express-rate-limit store whose counts live in the command-center's store, so the limit holds across replicas:
 * one atomic `$inc` upsert per counted request on the caller's document for the current window.
 *
 * When the store does not answer in time, the request is counted in this process's memory instead (fail open, but
 * not unlimited): an emergency office cannot have its operators locked out of a running incident because the
 * limiter's counter hiccups, and a runaway script is still held to the limit on each replica.
 */
export class SharedWindowStore implements Store {
  readonly localKeys = false;
  private windowMs = WINDOW_MS;
  private readonly fallback = new MemoryStore();
  private sweptWindow = 0;
  private warnedWindow = 0;

  constructor(
    private readonly windows: Model<RateWindowDoc>,
    private readonly opts: SharedWindowOptions,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.fallback.init(options);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const start = windowStart(this.now(), this.windowMs);
    const resetTime = new Date(start + this.windowMs);
    try {
      const totalHits = await within(this.opts.timeoutMs, this.add(`${start}:${this.opts.keyOf(key)}`, 1, resetTime));
      this.sweep(start);
      return { totalHits, resetTime };
    } catch (err) {
      if (this.warnedWindow !== start) {
        this.warnedWindow = start;
        this.opts.warn(err);
      }
      return this.fallback.increment(key);
    }
  }

  async decrement(key: string): Promise<void> {
    const start = windowStart(this.now(), this.windowMs);
    await this.add(`${start}:${this.opts.keyOf(key)}`, -1, new Date(start + this.windowMs)).catch(async () => this.fallback.decrement(key));
  }

  async resetKey(key: string): Promise<void> {
    const start = windowStart(this.now(), this.windowMs);
    await this.windows.deleteOne({ _id: `${start}:${this.opts.keyOf(key)}` });
    await this.fallback.resetKey(key);
  }

  /** One atomic upsert; two replicas creating the same window at once may see a duplicate key once on MongoDB. */
  private async add(id: string, by: number, expiresAt: Date): Promise<number> {
    const inc = () => this.windows.findOneAndUpdate({ _id: id }, { $inc: { hits: by }, $setOnInsert: { expiresAt } }, { upsert: true, new: true }).lean();
    const doc = await inc().catch((err: unknown) => (isDuplicateKey(err) ? inc() : Promise.reject(err)));
    if (!doc) throw new Error(`rate window ${id} not returned by its upsert`);
    return doc.hits;
  }

  /** Spent windows are deleted once a window by each replica (no TTL index on the local store). */
  private sweep(start: number): void {
    if (this.sweptWindow === start) return;
    this.sweptWindow = start;
    void this.windows.deleteMany({ expiresAt: { $lte: new Date(start) } }).catch(() => undefined);
  }
}

/** The limit on changes: `limit` per token subject and window, counted in `store`; beyond it a structured 429. */
export function changeLimiter(limit: number, store: Store): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit,
    store,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Per caller (token subject), so one runaway script cannot starve the other operators.
    keyGenerator: (req) => `sub:${authOf(req)?.sub ?? 'anonymous'}`,
    handler: (req, res, next, options) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfterSeconds = Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + options.windowMs) - Date.now()) / 1000));
      res.set('retry-after', String(retryAfterSeconds));
      next(new LifelineError('rate_limited', `more than ${limit} changes per minute; retry in ${retryAfterSeconds} s`, { limit, windowSeconds: options.windowMs / 1000, retryAfterSeconds }));
    },
  });
}
