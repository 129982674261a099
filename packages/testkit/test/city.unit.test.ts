import { buildCity } from '../src/city';
import { personnelContract, notificationContract, suppliesContract } from '@lifeline/contracts';

const shape = { communities: 10, residents: 1000, seed: 7, today: '2026-11-22' };

describe('the synthetic city', () => {
  it('is the same city for the same seed and a different one for another seed', () => {
    expect(buildCity(shape)).toEqual(buildCity(shape));
    expect(buildCity({ ...shape, seed: 8 }).residents[0]).not.toEqual(buildCity(shape).residents[0]);
  });

  it('has every level of the hierarchy and every resident in a community of it', () => {
    const city = buildCity(shape);
    const levels = new Set(city.units.map((u) => u.level));
    expect([...levels].sort()).toEqual(['building', 'community', 'district', 'grid', 'sub-district']);
    const communities = city.units.filter((u) => u.level === 'community');
    expect(communities).toHaveLength(10);
    expect(city.residents).toHaveLength(1000);
    const ids = new Set(communities.map((c) => c.id));
    expect(city.residents.every((r) => ids.has(r.communityId))).toBe(true);
    expect(communities.reduce((n, c) => n + (c.population ?? 0), 0)).toBe(1000);
  });

  it('passes the services’ own seed contracts', () => {
    const city = buildCity(shape);
    expect(personnelContract.SeedRosterRequest.safeParse({ units: city.units, people: city.people }).success).toBe(true);
    expect(notificationContract.SeedResidentsRequest.safeParse({ residents: city.residents }).success).toBe(true);
    expect(suppliesContract.SeedStockRequest.safeParse({ depots: city.depots, items: city.items, lots: city.lots }).success).toBe(true);
  });

  it('makes some residents vulnerable and some stock expired, as real communities are', () => {
    const city = buildCity(shape);
    const vulnerable = city.residents.filter((r) => (r.vulnerabilities ?? []).length > 0).length;
    expect(vulnerable).toBeGreaterThan(100);
    expect(vulnerable).toBeLessThan(300);
    expect(city.lots.some((l) => l.expiresOn !== undefined && l.expiresOn < shape.today)).toBe(true);
  });

  it('gives every community several grid workers so a task can fall back to a backup', () => {
    const city = buildCity(shape);
    const workers = city.people.filter((p) => p.communityId === 'c0001' && p.type === 'grid-worker');
    expect(workers.length).toBeGreaterThanOrEqual(3);
  });
});
