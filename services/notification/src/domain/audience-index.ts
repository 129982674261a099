import { PAGE_SIZE, pageIdOf, parsePageId, type PageEntry, type PageKind } from './page';

/**
 * Distinct (grid, building) places a page's summary lists; a page with more is "mixed" and its summary holds only the
 * count (a narrowed cut reads it). Registries list residents building by building, so a page spans a few places; one
 * filled in an interleaved order would otherwise make the index grow with pages × buildings.
 */
export const MAX_PLACES = 64;

/** What the community's index knows of one page without reading it. */
export interface IndexedPage {
  pageId: string;
  count: number;
  /** Residents per `${gridId}/${buildingId}`; absent for a mixed page. */
  places?: ReadonlyMap<string, number>;
}

export const placeKey = (gridId: string, buildingId: string) => `${gridId}/${buildingId}`;

export function summarizePage(pageId: string, entries: readonly Pick<PageEntry, 'gridId' | 'buildingId'>[]): IndexedPage {
  const places = new Map<string, number>();
  for (const e of entries) {
    const key = placeKey(e.gridId, e.buildingId);
    places.set(key, (places.get(key) ?? 0) + 1);
    if (places.size > MAX_PLACES) return { pageId, count: entries.length };
  }
  return { pageId, count: entries.length, places };
}

/** One line per page: `pageId count places`, places as `grid/building:n;…`, `*` when mixed, `-` when empty. */
export function encodeIndex(pages: readonly IndexedPage[]): string {
  return pages
    .map((p) => {
      const places = !p.places ? '*' : p.places.size === 0 ? '-' : [...p.places].map(([k, n]) => `${k}:${n}`).join(';');
      return `${p.pageId} ${p.count} ${places}`;
    })
    .join('\n');
}

export function decodeIndex(text: string): IndexedPage[] {
  if (!text) return [];
  return text.split('\n').map((line) => {
    const [pageId, count, places] = line.split(' ');
    if (!pageId || count === undefined || places === undefined) throw new Error(`a malformed audience index line: ${line.slice(0, 80)}`);
    if (places === '*') return { pageId, count: Number(count) };
    const map = new Map<string, number>();
    if (places !== '-') {
      for (const part of places.split(';')) {
        const at = part.lastIndexOf(':');
        map.set(part.slice(0, at), Number(part.slice(at + 1)));
      }
    }
    return { pageId, count: Number(count), places: map };
  });
}

/** Vulnerable pages first, each kind by page number: the order a broadcast queues them in. */
export function inBroadcastOrder<T extends { pageId: string }>(pages: readonly T[]): T[] {
  const rank = (p: T) => {
    const { kind, n } = parsePageId(p.pageId);
    return (kind === 'v' ? 0 : 1) * 1e9 + n;
  };
  return [...pages].sort((a, b) => rank(a) - rank(b));
}

/** The index with these pages' summaries written in (new pages added), in broadcast order. */
export function withSummaries(pages: readonly IndexedPage[], summaries: readonly IndexedPage[]): IndexedPage[] {
  const byId = new Map(pages.map((p) => [p.pageId, p]));
  for (const s of summaries) byId.set(s.pageId, s);
  return inBroadcastOrder([...byId.values()]);
}

/**
 * Where new residents of a community go: the open page of their kind with the lowest number, then new pages. Counts
 * come from the index; the page write checks them again (a page never takes more than {@link PAGE_SIZE}).
 */
export class Placement {
  private readonly counts = new Map<string, number>();
  private readonly next: Record<PageKind, number> = { v: 0, o: 0 };
  private readonly open: Record<PageKind, number[]> = { v: [], o: [] };

  constructor(
    private readonly communityId: string,
    pages: readonly IndexedPage[],
  ) {
    for (const p of pages) {
      const { kind, n } = parsePageId(p.pageId);
      this.counts.set(p.pageId, p.count);
      this.next[kind] = Math.max(this.next[kind], n + 1);
      if (p.count < PAGE_SIZE) this.open[kind].push(n);
    }
    this.open.v.sort((a, b) => a - b);
    this.open.o.sort((a, b) => a - b);
  }

  /** The page a new resident of this kind goes to (taking one place on it). */
  place(kind: PageKind): string {
    const open = this.open[kind];
    while (open.length > 0) {
      const pageId = pageIdOf(this.communityId, kind, open[0]!);
      const count = this.counts.get(pageId) ?? 0;
      if (count < PAGE_SIZE) {
        this.counts.set(pageId, count + 1);
        return pageId;
      }
      open.shift();
    }
    const n = this.next[kind]++;
    open.push(n);
    const pageId = pageIdOf(this.communityId, kind, n);
    this.counts.set(pageId, 1);
    return pageId;
  }

  /** Give back a place taken by {@link place} (the resident turned out to be known already). */
  release(pageId: string): void {
    this.counts.set(pageId, Math.max(0, (this.counts.get(pageId) ?? 1) - 1));
  }

  /** A page found full when written: nothing more is placed on it. */
  markFull(pageId: string): void {
    this.counts.set(pageId, PAGE_SIZE);
  }
}
