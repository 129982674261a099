import { percentile, perSecond } from '../lib/stats';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('p95 of 1..100 is 95, p50 is 50, p100 the maximum and p0 the minimum', () => {
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
  });

  it('always answers a sample that was seen, whatever the order given', () => {
    const forty = Array.from({ length: 40 }, (_, i) => (i * 7) % 40);
    expect(percentile(forty, 95)).toBe(37);
    expect(forty).toContain(percentile(forty, 95));
    expect(percentile([3], 95)).toBe(3);
  });

  it('refuses no samples and a percentile outside 0–100', () => {
    expect(() => percentile([], 95)).toThrow('no samples');
    expect(() => percentile([1], 101)).toThrow('0–100');
  });
});

describe('perSecond', () => {
  it('counts per second over milliseconds and refuses an empty duration', () => {
    expect(perSecond(40, 2000)).toBe(20);
    expect(() => perSecond(1, 0)).toThrow('positive');
  });
});
