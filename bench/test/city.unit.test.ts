import { buildCity } from '@lifeline/testkit';
import { realisticPopulations, withPopulations } from '../lib/city';

describe('realistic community populations', () => {
  it('sum exactly to the residents, every community holds someone, and the same seed gives the same city', () => {
    const sizes = realisticPopulations(1000, 1_000_000, 7);
    expect(sizes).toHaveLength(1000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1_000_000);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(realisticPopulations(1000, 1_000_000, 7)).toEqual(sizes);
  });

  it('are uneven: the largest community holds several times the smallest', () => {
    const sizes = realisticPopulations(1000, 1_000_000, 7);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThan(4);
  });

  it('refuse fewer residents than communities', () => {
    expect(() => realisticPopulations(10, 9, 1)).toThrow('cannot fill');
  });
});

describe('a city with those populations', () => {
  it('moves residents into their communities\' grids and buildings and sets each community\'s population', () => {
    const city = buildCity({ communities: 5, residents: 500, seed: 3, today: '2026-01-01' });
    const sizes = [300, 100, 50, 40, 10];
    const moved = withPopulations(city, sizes);
    const communities = moved.units.filter((u) => u.level === 'community');
    expect(communities.map((c) => c.population)).toEqual(sizes);
    communities.forEach((c, i) => expect(moved.residents.filter((r) => r.communityId === c.id)).toHaveLength(sizes[i]!));
    expect(moved.residents.every((r) => r.gridId.startsWith(`${r.communityId}-g`) && r.buildingId.startsWith(`${r.gridId}-b`))).toBe(true);
    expect(new Set(moved.residents.map((r) => r.id)).size).toBe(500);
  });
});
