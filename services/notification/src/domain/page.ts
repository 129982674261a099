import { LifelineError } from '@lifeline/contracts';

/**
 * Residents per audience page. A page is one store document read with one look-up and opened with one decrypt, and
 * the unit of broadcast work (one work item, one delivery sheet, one gateway call per channel).
 */
export const PAGE_SIZE = 1000;

/** What the sender needs of one resident, in clear (a page is sealed as a whole, never stored like this). */
export interface PageEntry {
  residentId: string;
  language: 'zh' | 'en';
  gridId: string;
  buildingId: string;
  phone: string;
}

/** `v`: the page holds vulnerable residents (they are told first); `o`: everyone else. */
export type PageKind = 'v' | 'o';

export const pageIdOf = (communityId: string, kind: PageKind, n: number) => `${communityId}/${kind}/${n}`;

/** The parts of a page id; slugs never hold a `/`, so the id splits unambiguously. */
export function parsePageId(pageId: string): { communityId: string; kind: PageKind; n: number } {
  const [communityId, kind, n] = pageId.split('/');
  if (!communityId || (kind !== 'v' && kind !== 'o') || n === undefined || !/^\d+$/.test(n)) throw new LifelineError('internal', `not a page id: ${pageId}`);
  return { communityId, kind, n: Number(n) };
}

export const isVulnerablePage = (pageId: string) => parsePageId(pageId).kind === 'v';

/**
 * A page's entries as one compact string (tab between fields, newline between residents): ids are slugs and phones
 * digits, so neither separator can occur in a field. One string, not an array of objects: the store read a page of
 * 1,000 objects in ~34 ms and the same data as one string in ~4 ms.
 */
export function encodePage(entries: readonly PageEntry[]): string {
  return entries.map((e) => `${e.residentId}\t${e.language}\t${e.gridId}\t${e.buildingId}\t${e.phone}`).join('\n');
}

export function decodePage(text: string): PageEntry[] {
  if (text === '') return [];
  return text.split('\n').map((line) => {
    const [residentId, language, gridId, buildingId, phone] = line.split('\t');
    if (!residentId || (language !== 'zh' && language !== 'en') || !gridId || !buildingId || phone === undefined) throw new LifelineError('internal', 'a malformed audience page entry');
    return { residentId, language, gridId, buildingId, phone };
  });
}

/** What changes on one page in one seeding round: residents written (added or replaced) and residents taken out. */
export interface PageChange {
  upserts: readonly PageEntry[];
  removals: readonly string[];
}

/**
 * Apply a change to a page's entries, keeping their order (new residents at the end). Residents beyond
 * {@link PAGE_SIZE} are not added but returned as `overflow`, to be placed on another page.
 */
export function applyPageChange(entries: readonly PageEntry[], change: PageChange): { entries: PageEntry[]; overflow: PageEntry[]; changed: boolean } {
  const removed = new Set(change.removals);
  const byId = new Map(change.upserts.map((e) => [e.residentId, e]));
  let changed = false;
  const kept: PageEntry[] = [];
  for (const e of entries) {
    if (removed.has(e.residentId) && !byId.has(e.residentId)) {
      changed = true;
      continue;
    }
    const next = byId.get(e.residentId);
    byId.delete(e.residentId);
    if (next && !sameEntry(e, next)) changed = true;
    kept.push(next ?? e);
  }
  const room = Math.max(0, PAGE_SIZE - kept.length);
  const added = [...byId.values()];
  if (added.length > 0 && room > 0) changed = true;
  return { entries: kept.concat(added.slice(0, room)), overflow: added.slice(room), changed };
}

const sameEntry = (a: PageEntry, b: PageEntry) => a.language === b.language && a.gridId === b.gridId && a.buildingId === b.buildingId && a.phone === b.phone;
