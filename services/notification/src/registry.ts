import type { notificationContract } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import { residentModel, type ResidentDoc } from './model/resident';

type ParsedResident = Required<notificationContract.ResidentRecord>;

/** Replacements of already-known residents in flight at once. */
const REPLACE_WINDOW = 16;

/**
 * The resident registry: an idempotent upsert by id; personal data is sealed before it reaches the store.
 * New residents go in with one unordered insert; only residents already known are replaced one by one (the store
 * writes each replacement in its own transaction, so a bulk of them would be slow — see README).
 */
export function residentRegistry(ctx: ServiceContext) {
  const Residents = residentModel(ctx.db);

  const toDoc = (r: ParsedResident, now: Date): ResidentDoc => ({
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
    updatedAt: now,
  });

  async function insertNew(docs: ResidentDoc[]): Promise<ResidentDoc[]> {
    try {
      await Residents.collection.insertMany(docs as never[], { ordered: false });
      return [];
    } catch (err) {
      const raw = (err as { writeErrors?: { code?: number; index?: number } | { code?: number; index?: number }[] }).writeErrors;
      const writeErrors = raw === undefined ? [] : [raw].flat();
      if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000 || e.index === undefined)) throw err;
      return writeErrors.map((e) => docs[e.index!]!);
    }
  }

  return {
    async seed(residents: readonly ParsedResident[]): Promise<number> {
      if (residents.length === 0) return 0;
      const now = new Date();
      const known = await insertNew(residents.map((r) => toDoc(r, now)));
      for (let start = 0; start < known.length; start += REPLACE_WINDOW) {
        await Promise.all(known.slice(start, start + REPLACE_WINDOW).map((doc) => Residents.collection.replaceOne({ _id: doc._id } as never, doc as never, { upsert: true })));
      }
      return residents.length;
    },
  };
}
