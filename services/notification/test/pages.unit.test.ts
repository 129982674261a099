import { decodeIndex, encodeIndex, MAX_PLACES, summarizePage, withSummaries } from '../src/domain/audience-index';
import { pack, unpack } from '../src/domain/packing';
import { applyPageChange, decodePage, encodePage, PAGE_SIZE, parsePageId, type PageEntry } from '../src/domain/page';

const entry = (i: number, over: Partial<PageEntry> = {}): PageEntry => ({ residentId: `r-${i}`, language: i % 2 ? 'en' : 'zh', gridId: `g-${i % 3}`, buildingId: `b-${i % 5}`, phone: `+86138${String(i).padStart(8, '0')}`, ...over });

describe('an audience page', () => {
  it('packs its residents into one string and reads them back unchanged', () => {
    const entries = Array.from({ length: PAGE_SIZE }, (_, i) => entry(i));
    const text = encodePage(entries);
    expect(typeof text).toBe('string');
    expect(decodePage(text)).toEqual(entries);
    expect(decodePage(encodePage([]))).toEqual([]);
    // ~45 bytes a resident: a full page stays far below the size where the store slows down
    expect(text.length).toBeLessThan(60 * PAGE_SIZE);
  });

  it('is stored deflated: a full page packs to a fraction of its size and unpacks unchanged', () => {
    const text = encodePage(Array.from({ length: PAGE_SIZE }, (_, i) => entry(i)));
    const packed = pack(text);
    expect(unpack(packed)).toBe(text);
    expect(packed.length).toBeLessThan(text.length / 2);
    expect(() => unpack(text)).toThrow(/not a packed value/);
  });

  it('refuses a malformed entry instead of guessing', () => {
    expect(() => decodePage('r-1\tfr\tg\tb\t1')).toThrow(/malformed/);
  });

  it('has an id naming its community, kind and number', () => {
    expect(parsePageId('c-9/v/12')).toEqual({ communityId: 'c-9', kind: 'v', n: 12 });
    expect(() => parsePageId('c-9/x/1')).toThrow(/not a page id/);
  });

  it('takes upserts and removals in place, newcomers at the end, and sends overflow on', () => {
    const page = [entry(1), entry(2), entry(3)];
    const moved = applyPageChange(page, { upserts: [entry(2, { phone: '999' }), entry(4)], removals: ['r-1'] });
    expect(moved.entries.map((e) => [e.residentId, e.phone])).toEqual([['r-2', '999'], ['r-3', entry(3).phone], ['r-4', entry(4).phone]]);
    expect(moved).toMatchObject({ changed: true, overflow: [] });
    expect(applyPageChange(page, { upserts: [entry(2)], removals: [] }).changed).toBe(false);
    const full = Array.from({ length: PAGE_SIZE - 1 }, (_, i) => entry(i));
    const over = applyPageChange(full, { upserts: [entry(5000), entry(5001), entry(5002)], removals: [] });
    expect(over.entries).toHaveLength(PAGE_SIZE);
    expect(over.overflow.map((e) => e.residentId)).toEqual(['r-5001', 'r-5002']);
  });
});

describe('the community index', () => {
  it('summarises a page by (grid, building) and reads the summary back', () => {
    const summary = summarizePage('c-1/o/0', [entry(0), entry(3), entry(15)]);
    expect(summary).toEqual({ pageId: 'c-1/o/0', count: 3, places: new Map([['g-0/b-0', 2], ['g-0/b-3', 1]]) });
    expect(decodeIndex(encodeIndex([summary, { pageId: 'c-1/v/0', count: 0, places: new Map() }]))).toEqual([summary, { pageId: 'c-1/v/0', count: 0, places: new Map() }]);
  });

  it('keeps only the count of a page spread over too many places (a mixed page)', () => {
    const spread = Array.from({ length: MAX_PLACES + 1 }, (_, i) => entry(i, { gridId: `g-${i}` }));
    const summary = summarizePage('c-1/o/0', spread);
    expect(summary).toEqual({ pageId: 'c-1/o/0', count: MAX_PLACES + 1 });
    expect(decodeIndex(encodeIndex([summary]))).toEqual([summary]);
  });

  it('writes new summaries over old ones and lists new pages, in broadcast order', () => {
    const pages = withSummaries([{ pageId: 'c-1/o/0', count: 1, places: new Map() }], [{ pageId: 'c-1/v/0', count: 2 }, { pageId: 'c-1/o/0', count: 5 }]);
    expect(pages).toEqual([{ pageId: 'c-1/v/0', count: 2 }, { pageId: 'c-1/o/0', count: 5 }]);
  });
});
