import type { Options } from 'express-rate-limit';
import type { Model } from 'mongoose';
import type { RateWindowDoc } from '../src/model/rate-window';
import { SharedWindowStore, WINDOW_MS, windowStart } from '../src/rate-limit';

/** A store whose counter never answers the way it should: `failing` rejects, `hanging` never settles. */
const unreachable = (how: 'failing' | 'hanging') =>
  ({
    findOneAndUpdate: () => ({ lean: () => (how === 'failing' ? Promise.reject(new Error('connection reset')) : new Promise(() => undefined)) }),
    deleteMany: () => Promise.resolve({ deletedCount: 0 }),
  }) as unknown as Model<RateWindowDoc>;

function storeOver(windows: Model<RateWindowDoc>, warnings: unknown[]) {
  const store = new SharedWindowStore(windows, { keyOf: (k) => k, timeoutMs: 20, warn: (err) => warnings.push(err) });
  store.init({ windowMs: WINDOW_MS } as Options);
  return store;
}

describe('the shared rate-limit window', () => {
  it('is the clock minute, the same on every replica', () => {
    expect(windowStart(Date.UTC(2026, 11, 3, 14, 7, 59, 999), WINDOW_MS)).toBe(Date.UTC(2026, 11, 3, 14, 7));
    expect(windowStart(Date.UTC(2026, 11, 3, 14, 8), WINDOW_MS)).toBe(Date.UTC(2026, 11, 3, 14, 8));
  });

  it.each(['failing', 'hanging'] as const)('a %s counter fails open to this process’s own count, still limited, warning once a window', async (how) => {
    const warnings: unknown[] = [];
    const store = storeOver(unreachable(how), warnings);
    const hits = [];
    for (let i = 0; i < 3; i++) hits.push((await store.increment('sub:op-1')).totalHits);
    expect(hits).toEqual([1, 2, 3]);
    expect((await store.increment('sub:op-2')).totalHits).toBe(1);
    expect(warnings).toHaveLength(1);
  });
});
