import type { ServiceContext } from '@lifeline/platform';
import { decodeIndex, encodeIndex, type IndexedPage } from './domain/audience-index';
import { decodePage, encodePage, type PageEntry } from './domain/page';
import { pack, unpack } from './domain/packing';
import { audienceIndexModel, audiencePageModel } from './model/audience';

/** At most this many ids per `{_id: {$in}}` (the store answers up to 900 from its index). */
export const ID_IN_CHUNK = 900;

/** A community's index as stored: its pages in broadcast order and the pages a seeding round is writing. */
export interface StoredIndex {
  pages: IndexedPage[];
  pending: Set<string>;
}

/**
 * Reading and writing audience pages (sealed as a whole) and community indexes: the one place that knows how they
 * are stored. Writers hold the community's seeding lease (registry.ts), so writes are plain `{_id}` updates.
 */
export function audienceStore(ctx: ServiceContext) {
  const Pages = audiencePageModel(ctx.db);
  const Indexes = audienceIndexModel(ctx.db);

  async function readIndex(communityId: string): Promise<StoredIndex> {
    const doc = await Indexes.findById(communityId).lean();
    return { pages: decodeIndex(doc?.pages ?? ''), pending: new Set(doc?.pending ?? []) };
  }

  async function writeIndex(communityId: string, index: StoredIndex): Promise<void> {
    await Indexes.collection.updateOne({ _id: communityId } as never, { $set: { pages: encodeIndex(index.pages), pending: [...index.pending], updatedAt: new Date() } }, { upsert: true });
  }

  /** A page's entries and version (an absent page is empty, version 0). */
  async function readPage(pageId: string): Promise<{ entries: PageEntry[]; version: number }> {
    const doc = await Pages.findById(pageId).lean();
    if (!doc) return { entries: [], version: 0 };
    return { entries: decodePage(unpack(ctx.vault.open(doc.entries))), version: doc.version };
  }

  /** Several pages at once, by id (missing ones empty). */
  async function readPages(pageIds: readonly string[]): Promise<Map<string, PageEntry[]>> {
    const out = new Map<string, PageEntry[]>(pageIds.map((id) => [id, []]));
    for (let i = 0; i < pageIds.length; i += ID_IN_CHUNK) {
      const docs = await Pages.find({ _id: { $in: pageIds.slice(i, i + ID_IN_CHUNK) } }).lean();
      for (const doc of docs) out.set(doc._id, decodePage(unpack(ctx.vault.open(doc.entries))));
    }
    return out;
  }

  async function writePage(pageId: string, communityId: string, entries: readonly PageEntry[], version: number): Promise<void> {
    const fields = { communityId, count: entries.length, version: version + 1, entries: ctx.vault.seal(pack(encodePage(entries))), updatedAt: new Date() };
    await Pages.collection.updateOne({ _id: pageId } as never, { $set: fields }, { upsert: true });
  }

  return { readIndex, writeIndex, readPage, readPages, writePage };
}
