import { summarizePage } from '../src/domain/audience-index';
import { fromEntries, fromIndex, transmissionsFor, worthQueueing } from '../src/domain/cut';
import type { PageEntry } from '../src/domain/page';

const entry = (i: number, gridId: string, buildingId: string): PageEntry => ({ residentId: `r-${i}`, language: 'zh', gridId, buildingId, phone: '13800000000' });
const entries = [entry(1, 'g-1', 'b-1'), entry(2, 'g-1', 'b-2'), entry(3, 'g-2', 'b-3'), entry(4, 'g-2', 'b-3')];
const indexed = summarizePage('c-1/o/0', entries);

describe('cutting an audience from the index', () => {
  it('counts a page from its summary, whole or narrowed to grids or buildings, without reading it', () => {
    expect(fromIndex(indexed, {}, false, false)).toMatchObject({ expected: 4, vulnerable: false });
    expect(fromIndex(indexed, { gridIds: ['g-2'] }, false, false)).toMatchObject({ expected: 2, buildings: new Set(['b-3']) });
    expect(fromIndex(indexed, { gridIds: ['g-2'], buildingIds: ['b-1'] }, false, false)!.expected).toBe(3);
    expect(fromIndex({ pageId: 'c-1/v/0', count: 7, places: new Map() }, {}, false, false)).toMatchObject({ vulnerable: true, expected: 0 });
  });

  it('agrees with a count from the page itself', () => {
    for (const audience of [{}, { gridIds: ['g-1'] }, { buildingIds: ['b-3', 'b-9'] }, { gridIds: ['g-2'], buildingIds: ['b-2'] }]) {
      expect(fromIndex(indexed, audience, true, false)!.expected).toBe(fromEntries('c-1/o/0', entries, audience).expected);
    }
  });

  it('reads a page only when the index cannot answer: mixed under a narrowing or zones, or being seeded', () => {
    const mixed = { pageId: 'c-1/o/1', count: 900 };
    expect(fromIndex(mixed, {}, false, false)).toMatchObject({ expected: 900 });
    expect(fromIndex(mixed, { gridIds: ['g-1'] }, false, false)).toBeUndefined();
    expect(fromIndex(mixed, {}, true, false)).toBeUndefined();
    expect(fromIndex(indexed, { gridIds: ['g-1'] }, false, true)).toBeUndefined();
    expect(fromIndex(indexed, {}, false, true)).toMatchObject({ expected: 4 });
  });

  it('queues pages with recipients, and a page being seeded when the audience is the whole community', () => {
    const empty = fromIndex({ pageId: 'c-1/o/2', count: 0, places: new Map() }, {}, false, true)!;
    expect(worthQueueing(empty, true, {})).toBe(true);
    expect(worthQueueing(empty, false, {})).toBe(false);
    expect(worthQueueing(empty, true, { gridIds: ['g-1'] })).toBe(false);
  });

  it('narrows a page read to the named residents (a bulletin’s subscribers)', () => {
    const page = fromEntries('c-1/o/0', entries, { gridIds: ['g-2'] }, new Set(['r-3', 'r-1']));
    expect(page.members.map((m) => m.residentId)).toEqual(['r-3']);
  });

  it('predicts transmissions per person, or once per building or grid zone', () => {
    const pages = [fromEntries('c-1/o/0', entries, {}), fromEntries('c-1/o/1', [entry(5, 'g-1', 'b-1')], {})];
    expect(transmissionsFor('person', pages)).toBe(5);
    expect(transmissionsFor('building', pages)).toBe(3);
    expect(transmissionsFor('grid', pages)).toBe(2);
  });
});
