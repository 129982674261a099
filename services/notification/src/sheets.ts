import type { ServiceContext } from '@lifeline/platform';
import { capDecision, capWindow, contactLogIdOf, encodeContacts } from './domain/contact-cap';
import { encodeClaim, encodeOutcomes, resolveSheet, type Outcome, type PageTally, type SheetState } from './domain/sheet';
import { encodeTally, expectedByShard, jobOfShard, shardComplete, sumTallies, tallyShardOf, tallyShardsOf, type JobFigures } from './domain/tally';
import { contactLogModel, sheetModel, tallyModel, type SheetDoc } from './model/sheet';

/**
 * The append-only records of a broadcast (domain/sheet.ts, contact-cap.ts, tally.ts): every write is one `$push` on
 * a filter of exactly `{_id}` — atomic per document on MongoDB and on our store (which holds the collection's lock
 * over the read-modify-write), and an index look-up on our store, where any other filter scans the collection.
 */
export function broadcastRecords(ctx: ServiceContext) {
  const Sheets = sheetModel(ctx.db);
  const Contacts = contactLogModel(ctx.db);
  const Tallies = tallyModel(ctx.db);

  /** Every page record of these jobs and the pages their cuts queued, by job id (all shards). */
  async function tallies(jobIds: readonly string[]): Promise<Map<string, { records: string[]; expected: string[] }>> {
    const out = new Map(jobIds.map((id) => [id, { records: [] as string[], expected: [] as string[] }]));
    const ids = jobIds.flatMap(tallyShardsOf);
    for (let i = 0; i < ids.length; i += 900) {
      for (const doc of await Tallies.find({ _id: { $in: ids.slice(i, i + 900) } }).lean()) {
        const job = out.get(jobOfShard(doc._id));
        job?.records.push(...(doc.pages ?? []));
        job?.expected.push(...(doc.expected ?? []));
      }
    }
    return out;
  }

  return {
    /** Claim these residents for a job on a sheet (created if missing) and answer the sheet as it now stands. */
    async claim(sheetId: string, meta: Pick<SheetDoc, 'incidentId' | 'stepId' | 'pageId'>, jobId: string, residentIds: readonly string[]): Promise<SheetState> {
      const doc = await Sheets.collection.findOneAndUpdate(
        { _id: sheetId } as never,
        { $push: { claims: encodeClaim(jobId, residentIds) }, $setOnInsert: { ...meta, outcomes: [], createdAt: new Date() } } as never,
        { upsert: true, returnDocument: 'after' },
      );
      const sheet = doc as unknown as SheetDoc | null;
      return resolveSheet({ claims: sheet?.claims ?? [], outcomes: sheet?.outcomes ?? [] });
    },

    /** Record what the gateway answered for a job's residents on a sheet. */
    async record(sheetId: string, jobId: string, outcomes: readonly Outcome[]): Promise<void> {
      if (outcomes.length > 0) await Sheets.collection.updateOne({ _id: sheetId } as never, { $push: { outcomes: encodeOutcomes(jobId, outcomes) } } as never);
    },

    /** Sheets by id, resolved (missing ones left out). */
    async sheets(sheetIds: readonly string[]): Promise<Map<string, SheetState & { doc: SheetDoc }>> {
      const out = new Map<string, SheetState & { doc: SheetDoc }>();
      for (let i = 0; i < sheetIds.length; i += 900) {
        for (const doc of await Sheets.find({ _id: { $in: sheetIds.slice(i, i + 900) } }).lean()) out.set(doc._id, { ...resolveSheet(doc), doc });
      }
      return out;
    },

    /** The residents of a page this step may contact under a cap (logging the step's intent in the window). */
    async capped(pageId: string, cap: { max: number; windowMinutes: number }, startedAt: Date, stepKey: string, residentIds: readonly string[]): Promise<Set<string>> {
      if (residentIds.length === 0) return new Set();
      const logId = contactLogIdOf(pageId, cap.windowMinutes, capWindow(startedAt, cap.windowMinutes));
      const doc = await Contacts.collection.findOneAndUpdate(
        { _id: logId } as never,
        { $push: { steps: encodeContacts(stepKey, residentIds) }, $setOnInsert: { createdAt: new Date() } } as never,
        { upsert: true, returnDocument: 'after' },
      );
      return new Set(capDecision((doc as unknown as { steps?: string[] } | null)?.steps ?? [], stepKey, cap.max, residentIds).capped);
    },

    /** The pages a cut queues, written into the job's shards before they are queued (a repeated cut rewrites them; a shard with none is not written). */
    async expect(jobId: string, pageIds: readonly string[]): Promise<void> {
      const shards = [...expectedByShard(jobId, pageIds)].filter(([, expected]) => expected.length > 0);
      await Promise.all(shards.map(([shardId, expected]) => Tallies.collection.updateOne({ _id: shardId } as never, { $set: { jobId, expected } }, { upsert: true })));
    },

    /** Count a page into its job's shard (the first record of a page counts); answers whether the shard is complete. */
    async count(jobId: string, tally: PageTally): Promise<boolean> {
      const doc = await Tallies.collection.findOneAndUpdate({ _id: tallyShardOf(jobId, tally.pageId) } as never, { $push: { pages: encodeTally(tally) }, $setOnInsert: { jobId } } as never, { upsert: true, returnDocument: 'after' });
      return shardComplete((doc as unknown as { expected?: string[]; pages?: string[] } | null) ?? {});
    },

    tallies,

    /** Jobs' figures so far, by job id. */
    async figures(jobIds: readonly string[]): Promise<Map<string, JobFigures>> {
      const out = new Map<string, JobFigures>();
      for (const [jobId, { records, expected }] of await tallies(jobIds)) out.set(jobId, sumTallies(records, expected));
      return out;
    },
  };
}
