import { districtOf, resolveArea, type AreaUnit } from '../src/domain/area';

const units: AreaUnit[] = [
  { id: 'd1', level: 'district', population: 0 },
  { id: 'd2', level: 'district', population: 0 },
  { id: 'd3', level: 'district', population: 0 },
  { id: 'd1s1', level: 'sub-district', parentId: 'd1', population: 0 },
  { id: 'd2s1', level: 'sub-district', parentId: 'd2', population: 0 },
  { id: 'c2', level: 'community', parentId: 'd1s1', population: 200 },
  { id: 'c1', level: 'community', parentId: 'd1s1', population: 100 },
  { id: 'c3', level: 'community', parentId: 'd2s1', population: 300 },
  { id: 'c4', level: 'community', parentId: 'd2', population: 400 },
  { id: 'g1', level: 'grid', parentId: 'c1', population: 50 },
  { id: 'orphan', level: 'community', parentId: 'nowhere', population: 9 },
];

describe('area resolution', () => {
  it('walks parentId up to the district, through any sub-district', () => {
    const byId = new Map(units.map((u) => [u.id, u]));
    expect(districtOf('c1', byId)).toBe('d1');
    expect(districtOf('c4', byId)).toBe('d2');
    expect(districtOf('g1', byId)).toBe('d1');
    expect(districtOf('orphan', byId)).toBeUndefined();
  });

  it('stops on a parent cycle instead of looping', () => {
    const cyclic = new Map<string, AreaUnit>([
      ['a', { id: 'a', level: 'community', parentId: 'b', population: 0 }],
      ['b', { id: 'b', level: 'sub-district', parentId: 'a', population: 0 }],
    ]);
    expect(districtOf('a', cyclic)).toBeUndefined();
  });

  it('groups named communities under their districts, with populations, sorted by id', () => {
    expect(resolveArea({ communityIds: ['c3', 'c2', 'c1'] }, units)).toEqual({
      ok: true,
      resolved: {
        districts: [
          { districtId: 'd1', communities: [ { communityId: 'c1', population: 100, subDistrictId: 'd1s1' }, { communityId: 'c2', population: 200, subDistrictId: 'd1s1' } ] },
          { districtId: 'd2', communities: [{ communityId: 'c3', population: 300, subDistrictId: 'd2s1' }] },
        ],
      },
    });
  });

  it('expands a district into all of its communities', () => {
    const out = resolveArea({ districtIds: ['d2'] }, units);
    expect(out).toEqual({ ok: true, resolved: { districts: [{ districtId: 'd2', communities: [ { communityId: 'c3', population: 300, subDistrictId: 'd2s1' }, { communityId: 'c4', population: 400 } ] }] } });
  });

  it('city-wide brings every district, even one without communities, and every community under a district', () => {
    const out = resolveArea({ cityWide: true }, units);
    expect(out.ok && out.resolved.districts.map((d) => [d.districtId, d.communities.map((c) => c.communityId)])).toEqual([
      ['d1', ['c1', 'c2']],
      ['d2', ['c3', 'c4']],
      ['d3', []],
    ]);
  });

  it('counts a community named twice (directly and through its district) once', () => {
    const out = resolveArea({ communityIds: ['c1', 'c1'], districtIds: ['d1'] }, units);
    expect(out.ok && out.resolved.districts).toEqual([{ districtId: 'd1', communities: [ { communityId: 'c1', population: 100, subDistrictId: 'd1s1' }, { communityId: 'c2', population: 200, subDistrictId: 'd1s1' } ] }]);
  });

  it('lists unknown ids: missing, not a community/district, or orphaned', () => {
    expect(resolveArea({ communityIds: ['c1', 'nope', 'g1', 'orphan'], districtIds: ['c2', 'd1'] }, units)).toEqual({
      ok: false,
      unknownCommunityIds: ['nope', 'g1', 'orphan'],
      unknownDistrictIds: ['c2'],
    });
  });

  it('city-wide over an empty roster is an empty area, not an error', () => {
    expect(resolveArea({ cityWide: true }, [])).toEqual({ ok: true, resolved: { districts: [] } });
  });
});
