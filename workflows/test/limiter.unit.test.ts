import { limiter } from '../src/activities';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('limiter (requests in flight per service)', () => {
  it('keeps at most `max` calls running and starts the waiting ones in arrival order', async () => {
    const lane = limiter(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        lane(async () => {
          started.push(i);
          peak = Math.max(peak, ++running);
          await tick();
          running--;
          return i * 10;
        }),
      ),
    );
    expect(results).toEqual([0, 10, 20, 30, 40]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('frees the place when a call fails', async () => {
    const lane = limiter(1);
    await expect(lane(async () => Promise.reject(new Error('unavailable')))).rejects.toThrow('unavailable');
    await expect(lane(async () => 'next')).resolves.toBe('next');
  });

  it('does not limit with max 0', async () => {
    const lane = limiter(0);
    let running = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 6 }, () => lane(async () => ((peak = Math.max(peak, ++running)), await tick(), running--))));
    expect(peak).toBe(6);
  });
});
