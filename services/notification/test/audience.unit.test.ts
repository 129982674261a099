import { LifelineError } from '@lifeline/contracts';
import { audienceScope, cutBatches, orderVulnerableFirst } from '../src/domain/audience';

const r = (id: string, ...vulnerabilities: string[]) => ({ id, vulnerabilities });

describe('who a broadcast reaches, and in what order', () => {
  it('tells vulnerable residents first, then everyone else, each group in id order', () => {
    const ordered = orderVulnerableFirst([r('r-5'), r('r-3', 'disabled'), r('r-1'), r('r-4', 'elderly-alone', 'chronic-illness'), r('r-2')]);
    expect(ordered.map((x) => x.id)).toEqual(['r-3', 'r-4', 'r-1', 'r-2', 'r-5']);
  });

  it('gives the same order whatever order the registry answered in', () => {
    const residents = Array.from({ length: 50 }, (_, i) => r(`r-${String(i).padStart(2, '0')}`, ...(i % 7 === 0 ? ['child'] : [])));
    const shuffled = [...residents].sort(() => Math.random() - 0.5);
    expect(orderVulnerableFirst(shuffled)).toEqual(orderVulnerableFirst(residents));
  });

  it('does not change the list it was given', () => {
    const residents = [r('b'), r('a', 'pregnant')];
    orderVulnerableFirst(residents);
    expect(residents.map((x) => x.id)).toEqual(['b', 'a']);
  });

  it('reaches everyone when everyone is named, only the vulnerable otherwise', () => {
    expect(audienceScope(['everyone'])).toBe('everyone');
    expect(audienceScope(['vulnerable', 'everyone'])).toBe('everyone');
    expect(audienceScope(['vulnerable'])).toBe('vulnerable');
  });

  it('refuses responders: they are reached through personnel dispatch', () => {
    expect(() => audienceScope(['everyone', 'responders'])).toThrow(LifelineError);
    try {
      audienceScope(['responders']);
    } catch (err) {
      expect((err as LifelineError).code).toBe('invalid_request');
      expect((err as LifelineError).message).toMatch(/personnel dispatch/);
    }
  });
});

describe('cutting an audience into batches', () => {
  it('keeps the order and fills every batch but the last', () => {
    const ids = Array.from({ length: 1201 }, (_, i) => i);
    const batches = cutBatches(ids, 500);
    expect(batches.map((b) => b.length)).toEqual([500, 500, 201]);
    expect(batches.flat()).toEqual(ids);
  });

  it('makes no batch for an empty audience and one for a small one', () => {
    expect(cutBatches([], 500)).toEqual([]);
    expect(cutBatches(['a'], 500)).toEqual([['a']]);
  });

  it('puts the vulnerable in the first batch when they fit', () => {
    const residents = Array.from({ length: 1200 }, (_, i) => r(`r-${String(i).padStart(4, '0')}`, ...(i % 10 === 0 ? ['elderly-alone'] : [])));
    const [first] = cutBatches(orderVulnerableFirst(residents), 500);
    expect(first!.slice(0, 120).every((x) => x.vulnerabilities.length > 0)).toBe(true);
    expect(first![120]!.vulnerabilities).toEqual([]);
  });

  it('rejects a batch size that is not a positive integer', () => {
    expect(() => cutBatches([1], 0)).toThrow(/positive integer/);
    expect(() => cutBatches([1], 1.5)).toThrow(/positive integer/);
  });
});
