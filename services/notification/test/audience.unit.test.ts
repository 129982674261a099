import { LifelineError } from '@lifeline/contracts';
import { audienceScope, inAudience } from '../src/domain/audience';
import { inBroadcastOrder, Placement, type IndexedPage } from '../src/domain/audience-index';
import { PAGE_SIZE, pageIdOf } from '../src/domain/page';

const page = (kind: 'v' | 'o', n: number, count: number): IndexedPage => ({ pageId: pageIdOf('c-1', kind, n), count, places: new Map() });

describe('who a broadcast reaches, and in what order', () => {
  it('queues every vulnerable page before any other, each kind in page order', () => {
    const ordered = inBroadcastOrder([page('o', 2, 5), page('v', 1, 5), page('o', 0, 5), page('v', 0, 5), page('o', 10, 5)]);
    expect(ordered.map((p) => p.pageId)).toEqual(['c-1/v/0', 'c-1/v/1', 'c-1/o/0', 'c-1/o/2', 'c-1/o/10']);
  });

  it('gives the same order whatever order the index was read in', () => {
    const pages = Array.from({ length: 30 }, (_, i) => page(i % 4 === 0 ? 'v' : 'o', i, 1));
    const shuffled = [...pages].sort(() => Math.random() - 0.5);
    expect(inBroadcastOrder(shuffled)).toEqual(inBroadcastOrder(pages));
  });

  it('does not change the list it was given', () => {
    const pages = [page('o', 0, 1), page('v', 0, 1)];
    inBroadcastOrder(pages);
    expect(pages.map((p) => p.pageId)).toEqual(['c-1/o/0', 'c-1/v/0']);
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

  it('narrows to residents of the named grids or buildings', () => {
    expect(inAudience({}, { gridId: 'g-1', buildingId: 'b-1' })).toBe(true);
    expect(inAudience({ gridIds: ['g-1'] }, { gridId: 'g-1', buildingId: 'b-9' })).toBe(true);
    expect(inAudience({ gridIds: ['g-1'], buildingIds: ['b-2'] }, { gridId: 'g-0', buildingId: 'b-2' })).toBe(true);
    expect(inAudience({ gridIds: ['g-1'], buildingIds: ['b-2'] }, { gridId: 'g-0', buildingId: 'b-3' })).toBe(false);
  });
});

describe('placing residents on pages', () => {
  it('fills the open page of their kind, then opens new ones, never beyond the page size', () => {
    const placement = new Placement('c-1', [page('v', 0, PAGE_SIZE - 2), page('o', 0, PAGE_SIZE)]);
    const v = Array.from({ length: 3 }, () => placement.place('v'));
    const o = Array.from({ length: 2 }, () => placement.place('o'));
    expect(v).toEqual(['c-1/v/0', 'c-1/v/0', 'c-1/v/1']);
    expect(o).toEqual(['c-1/o/1', 'c-1/o/1']);
  });

  it('cuts a large seeding into consecutive full pages', () => {
    const placement = new Placement('c-1', []);
    const counts = new Map<string, number>();
    for (let i = 0; i < 2 * PAGE_SIZE + 1; i++) {
      const id = placement.place('o');
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts]).toEqual([['c-1/o/0', PAGE_SIZE], ['c-1/o/1', PAGE_SIZE], ['c-1/o/2', 1]]);
  });

  it('gives back a place taken for a resident who turned out to be known, and skips a page found full', () => {
    const placement = new Placement('c-1', [page('o', 0, PAGE_SIZE - 1)]);
    placement.release(placement.place('o'));
    expect(placement.place('o')).toBe('c-1/o/0');
    const again = new Placement('c-1', [page('o', 0, 10)]);
    again.markFull('c-1/o/0');
    expect(again.place('o')).toBe('c-1/o/1');
  });
});
