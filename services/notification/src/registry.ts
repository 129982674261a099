import type { notificationContract } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import { audienceStore, ID_IN_CHUNK, type StoredIndex } from './audience-store';
import { Placement, summarizePage, withSummaries, type IndexedPage } from './domain/audience-index';
import { applyPageChange, parsePageId, type PageEntry, type PageKind } from './domain/page';
import { residentModel, type ResidentDoc } from './model/resident';
import { seedLeases } from './seed-lease';

type ParsedResident = Required<notificationContract.ResidentRecord>;

/** Replacements of already-known residents in flight at once. */
const REPLACE_WINDOW = 16;
/** Communities of one request seeded at once (each its own round; a round's writes are sequential per page). */
const COMMUNITIES_IN_FLIGHT = 4;
/** Pages of one round written at once. */
const PAGES_IN_FLIGHT = 4;

const kindOf = (r: { vulnerabilities: readonly string[] }): PageKind => (r.vulnerabilities.length > 0 ? 'v' : 'o');
const entryOf = (r: ParsedResident): PageEntry => ({ residentId: r.id, language: r.language, gridId: r.gridId, buildingId: r.buildingId, phone: r.phone });

/** What one round changes on one page. */
interface PageWork {
  upserts: Map<string, PageEntry>;
  removals: Set<string>;
}

async function inBatches<T>(items: readonly T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

/**
 * The resident registry and its audience read model. `seed` upserts residents by id (personal data sealed before it
 * reaches the store) and keeps each community's audience pages and index in step, one round per community:
 *  1. residents are written first, each with the page it goes to (new ones with one unordered insert; known ones
 *     replaced one by one, and only when something changed) — so a round retried after a crash puts everyone on the
 *     same page again, and a resident's move is remembered (`formerPageIds`) until the old page is emptied of them;
 *  2. the index lists the pages the round will write as `pending` (a new page is listed before it is written);
 *  3. each page is read, changed and written (a full page sends newcomers on to the next page);
 *  4. the index gets the written pages' summaries and forgets `pending` (pages a stopped round left pending are
 *     summarised again from what they hold).
 * Rounds of one community are queued in this process and exclusive across processes (seed-lease.ts).
 */
export function residentRegistry(ctx: ServiceContext) {
  const Residents = residentModel(ctx.db);
  const store = audienceStore(ctx);
  const leases = seedLeases(ctx);
  const queues = new Map<string, Promise<unknown>>();

  const toDoc = (r: ParsedResident, now: Date, pageId: string, formerPageIds?: string[]): ResidentDoc => ({
    _id: r.id,
    communityId: r.communityId,
    gridId: r.gridId,
    buildingId: r.buildingId,
    language: r.language,
    vulnerabilities: [...r.vulnerabilities],
    vulnerable: r.vulnerabilities.length > 0,
    name: ctx.vault.seal(r.name),
    phone: ctx.vault.seal(r.phone),
    address: ctx.vault.seal(r.address),
    pageId,
    ...(formerPageIds?.length ? { formerPageIds } : {}),
    updatedAt: now,
  });

  /** Whether a stored resident already says what the request says (sealed values compared opened). */
  const unchanged = (e: ResidentDoc, r: ParsedResident) =>
    e.communityId === r.communityId &&
    e.gridId === r.gridId &&
    e.buildingId === r.buildingId &&
    e.language === r.language &&
    e.vulnerabilities.join() === r.vulnerabilities.join() &&
    ctx.vault.open(e.phone) === r.phone &&
    ctx.vault.open(e.name) === r.name &&
    ctx.vault.open(e.address) === r.address;

  /** Insert without stopping at duplicates; answers the ids refused as already known. */
  async function insertNew(docs: ResidentDoc[]): Promise<Set<string>> {
    try {
      await Residents.collection.insertMany(docs as never[], { ordered: false });
      return new Set();
    } catch (err) {
      const raw = (err as { writeErrors?: { code?: number; index?: number } | { code?: number; index?: number }[] }).writeErrors;
      const writeErrors = raw === undefined ? [] : [raw].flat();
      if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000 || e.index === undefined)) throw err;
      return new Set(writeErrors.map((e) => docs[e.index!]!._id));
    }
  }

  async function readResidents(ids: readonly string[]): Promise<Map<string, ResidentDoc>> {
    const out = new Map<string, ResidentDoc>();
    for (let i = 0; i < ids.length; i += ID_IN_CHUNK) {
      for (const doc of await Residents.find({ _id: { $in: ids.slice(i, i + ID_IN_CHUNK) } }).lean()) out.set(doc._id, doc);
    }
    return out;
  }

  /** Step 3 for one page: apply the round's change; answers the page's summary and the newcomers it had no room for. */
  async function writePage(communityId: string, pageId: string, work: PageWork): Promise<{ summary: IndexedPage; overflow: PageEntry[] }> {
    const page = await store.readPage(pageId);
    const applied = applyPageChange(page.entries, { upserts: [...work.upserts.values()], removals: [...work.removals] });
    if (applied.changed) await store.writePage(pageId, communityId, applied.entries, page.version);
    return { summary: summarizePage(pageId, applied.entries), overflow: applied.overflow };
  }

  /** One round; answers the movers' old pages in other communities, to be emptied in those communities' rounds. */
  async function round(communityId: string, residents: readonly ParsedResident[]): Promise<Map<string, Map<string, Set<string>>>> {
    const now = new Date();
    const index = await store.readIndex(communityId);
    const placement = new Placement(communityId, index.pages);
    const targets = new Map(residents.map((r) => [r.id, placement.place(kindOf(r))]));
    const known = await insertNew(residents.map((r) => toDoc(r, now, targets.get(r.id)!)));
    const removals = new Map<string, Set<string>>();
    const stale: ResidentDoc[] = [];
    if (known.size > 0) {
      const existing = await readResidents([...known]);
      for (const r of residents.filter((x) => known.has(x.id))) {
        placement.release(targets.get(r.id)!);
        const e = existing.get(r.id);
        const stays = e?.pageId !== undefined && parsePageId(e.pageId).communityId === communityId && parsePageId(e.pageId).kind === kindOf(r);
        const pageId = stays ? e!.pageId! : placement.place(kindOf(r));
        const former = [...new Set([...(e?.formerPageIds ?? []), ...(e?.pageId && !stays ? [e.pageId] : [])])];
        targets.set(r.id, pageId);
        for (const old of former) (removals.get(old) ?? removals.set(old, new Set()).get(old)!).add(r.id);
        if (!e || !stays || !unchanged(e, r) || (e.formerPageIds ?? []).length !== former.length) stale.push(toDoc(r, now, pageId, former));
      }
      await inBatches(stale, REPLACE_WINDOW, async (doc) => {
        await Residents.collection.replaceOne({ _id: doc._id } as never, doc as never, { upsert: true });
      });
    }
    const ours = (pageId: string) => parsePageId(pageId).communityId === communityId;
    const work = new Map<string, PageWork>();
    const workOf = (pageId: string) => work.get(pageId) ?? work.set(pageId, { upserts: new Map(), removals: new Set() }).get(pageId)!;
    for (const r of residents) workOf(targets.get(r.id)!).upserts.set(r.id, entryOf(r));
    for (const [pageId, ids] of removals) if (ours(pageId)) for (const id of ids) workOf(pageId).removals.add(id);
    await writeRound(communityId, index, placement, work, now);
    const elsewhere = new Map<string, Map<string, Set<string>>>();
    for (const [pageId, ids] of removals) {
      if (ours(pageId)) continue;
      const other = parsePageId(pageId).communityId;
      (elsewhere.get(other) ?? elsewhere.set(other, new Map()).get(other)!).set(pageId, ids);
    }
    return elsewhere;
  }

  /** Steps 2–4 of a round (overflowing newcomers placed again until everyone has a page). */
  async function writeRound(communityId: string, index: StoredIndex, placement: Placement, work: Map<string, PageWork>, now: Date): Promise<void> {
    const leftPending = [...index.pending];
    const summaries: IndexedPage[] = [];
    let todo = work;
    while (todo.size > 0) {
      const listed = new Set(index.pages.map((p) => p.pageId));
      const fresh = [...todo.keys()].filter((id) => !listed.has(id)).map((pageId): IndexedPage => ({ pageId, count: 0, places: new Map() }));
      index.pages = withSummaries(index.pages, fresh);
      for (const id of todo.keys()) index.pending.add(id);
      await store.writeIndex(communityId, index);
      const overflow: { entry: PageEntry; kind: PageKind }[] = [];
      await inBatches([...todo], PAGES_IN_FLIGHT, async ([pageId, change]) => {
        const written = await writePage(communityId, pageId, change);
        summaries.push(written.summary);
        if (written.overflow.length > 0) placement.markFull(pageId);
        for (const entry of written.overflow) overflow.push({ entry, kind: parsePageId(pageId).kind });
      });
      todo = await placeAgain(overflow, placement, now);
    }
    const written = new Set(summaries.map((s) => s.pageId));
    const repaired = await store.readPages(leftPending.filter((id) => !written.has(id)));
    for (const [pageId, entries] of repaired) summaries.push(summarizePage(pageId, entries));
    index.pages = withSummaries(index.pages, summaries);
    index.pending = new Set();
    await store.writeIndex(communityId, index);
  }

  /** Newcomers a full page had no room for: another page, written on their registry record first. */
  async function placeAgain(overflow: readonly { entry: PageEntry; kind: PageKind }[], placement: Placement, now: Date): Promise<Map<string, PageWork>> {
    const work = new Map<string, PageWork>();
    for (const { entry, kind } of overflow) {
      const pageId = placement.place(kind);
      await Residents.collection.updateOne({ _id: entry.residentId } as never, { $set: { pageId, updatedAt: now } });
      (work.get(pageId) ?? work.set(pageId, { upserts: new Map(), removals: new Set() }).get(pageId)!).upserts.set(entry.residentId, entry);
    }
    return work;
  }

  /** Take movers off their old pages in another community (that community's round). */
  async function removeElsewhere(communityId: string, pages: Map<string, Set<string>>): Promise<void> {
    const index = await store.readIndex(communityId);
    const work = new Map([...pages].map(([pageId, ids]) => [pageId, { upserts: new Map(), removals: ids }]));
    await writeRound(communityId, index, new Placement(communityId, index.pages), work, new Date());
  }

  /** Rounds of one community run one after another in this process. */
  function serialized<T>(communityId: string, run: () => Promise<T>): Promise<T> {
    const previous = queues.get(communityId) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    queues.set(communityId, settled);
    void settled.then(() => {
      if (queues.get(communityId) === settled) queues.delete(communityId);
    });
    return next;
  }

  return {
    async seed(residents: readonly ParsedResident[]): Promise<number> {
      if (residents.length === 0) return 0;
      const latest = new Map(residents.map((r) => [r.id, r]));
      const byCommunity = new Map<string, ParsedResident[]>();
      for (const r of latest.values()) (byCommunity.get(r.communityId) ?? byCommunity.set(r.communityId, []).get(r.communityId)!).push(r);
      const elsewhere: [string, Map<string, Set<string>>][] = [];
      await inBatches([...byCommunity], COMMUNITIES_IN_FLIGHT, async ([communityId, members]) => {
        const left = await serialized(communityId, () => leases.withLease(communityId, () => round(communityId, members)));
        elsewhere.push(...left);
      });
      // Residents who moved here from another community leave their old page in that community's own round, after
      // this one (never nested: two rounds waiting on each other's community would never finish).
      for (const [other, pages] of elsewhere) await serialized(other, () => leases.withLease(other, () => removeElsewhere(other, pages)));
      return residents.length;
    },
  };
}
