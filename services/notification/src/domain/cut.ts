import type { IndexedPage } from './audience-index';
import { inAudience } from './audience';
import { isVulnerablePage, type PageEntry } from './page';

/** The grids and buildings a broadcast is narrowed to (neither: the whole community). */
export interface Narrowing {
  gridIds?: readonly string[];
  buildingIds?: readonly string[];
}

/** One page of a broadcast as the cut sees it: recipients expected and the zones they live in. */
export interface PageAudience {
  pageId: string;
  vulnerable: boolean;
  expected: number;
  grids: ReadonlySet<string>;
  buildings: ReadonlySet<string>;
}

const narrowed = (a: Narrowing) => Boolean(a.gridIds || a.buildingIds);

/**
 * A page's share of an audience from the index alone, or undefined when the page must be read: its summary is mixed
 * (no places) while the audience is narrowed or zones are needed, or a seeding round is writing it (`pending`).
 */
export function fromIndex(page: IndexedPage, audience: Narrowing, needZones: boolean, pending: boolean): PageAudience | undefined {
  const vulnerable = isVulnerablePage(page.pageId);
  if (!page.places) {
    if (narrowed(audience) || needZones) return undefined;
    return { pageId: page.pageId, vulnerable, expected: page.count, grids: new Set(), buildings: new Set() };
  }
  if (pending && (narrowed(audience) || needZones)) return undefined;
  const grids = new Set<string>();
  const buildings = new Set<string>();
  let expected = 0;
  for (const [key, n] of page.places) {
    const [gridId, buildingId] = key.split('/') as [string, string];
    if (!inAudience(audience, { gridId, buildingId })) continue;
    expected += n;
    grids.add(gridId);
    buildings.add(buildingId);
  }
  return { pageId: page.pageId, vulnerable, expected, grids, buildings };
}

/** A page's share of an audience from its entries (a page read by the cut, or a sender's filter). */
export function fromEntries(pageId: string, entries: readonly PageEntry[], audience: Narrowing, only?: ReadonlySet<string>): PageAudience & { members: PageEntry[] } {
  const members = entries.filter((e) => inAudience(audience, e) && (!only || only.has(e.residentId)));
  return {
    pageId,
    vulnerable: isVulnerablePage(pageId),
    expected: members.length,
    grids: new Set(members.map((m) => m.gridId)),
    buildings: new Set(members.map((m) => m.buildingId)),
    members,
  };
}

/** Whether a page goes on the work stream: it has recipients, or a seeding round may have given it some since. */
export const worthQueueing = (page: PageAudience, pending: boolean, audience: Narrowing) => page.expected > 0 || (pending && !narrowed(audience));

/** Transmissions to reach a cut's recipients on a channel that reaches a person, a building or a grid at a time. */
export function transmissionsFor(reach: 'person' | 'door' | 'building' | 'grid', pages: readonly PageAudience[]): number {
  if (reach === 'person' || reach === 'door') return pages.reduce((n, p) => n + p.expected, 0);
  const zones = new Set(pages.flatMap((p) => [...(reach === 'building' ? p.buildings : p.grids)]));
  return zones.size;
}
