import { chooseSites } from '../src/domain/sites';

const sites = [
  { id: 'park-small', kind: 'park', capacity: 100 },
  { id: 'park-big', kind: 'park', capacity: 400 },
  { id: 'square', kind: 'square', capacity: 300 },
  { id: 'centre', kind: 'community-centre', capacity: 80 },
];
const ids = (list: { id: string }[]) => list.map((s) => s.id);

describe('choosing sites to open', () => {
  it('opens sites of the asked kinds in the plan’s order, largest first, until the places are covered', () => {
    const c = chooseSites(sites, ['park', 'square'], 450, new Set());
    expect(ids(c.open)).toEqual(['park-big', 'park-small']);
    expect(c.shortfall).toBe(0);
  });

  it('reports the places it could not find', () => {
    const c = chooseSites(sites, ['community-centre'], 200, new Set());
    expect(ids(c.open)).toEqual(['centre']);
    expect(c.shortfall).toBe(120);
  });

  it('counts sites already open for the incident first and does not open them again', () => {
    const c = chooseSites(sites, ['park', 'square'], 500, new Set(['square']));
    expect(ids(c.keep)).toEqual(['square']);
    expect(ids(c.open)).toEqual(['park-big']);
  });

  it('with no places asked, opens one site of each kind', () => {
    expect(ids(chooseSites(sites, ['square', 'park'], 0, new Set()).open)).toEqual(['square', 'park-big']);
  });
});
