import { isVulnerablePage } from './page';
import type { ChannelTally, PageTally } from './sheet';

/**
 * Tally shards per job: a page is counted into the shard its id hashes to, so no document grows with the job (one
 * list of a 1,000-page job's records grew to ~70 KB and its update to ~74 ms a page on the loaded store). The cut
 * writes each shard's `expected` page ids before it queues them; a job is complete when every expected page is counted.
 */
export const TALLY_SHARDS = 16;

export function shardOfPage(pageId: string): number {
  let h = 0;
  for (let i = 0; i < pageId.length; i++) h = (h * 31 + pageId.charCodeAt(i)) >>> 0;
  return h % TALLY_SHARDS;
}

export const tallyShardOf = (jobId: string, pageId: string) => `${jobId}/${shardOfPage(pageId)}`;
export const tallyShardsOf = (jobId: string) => Array.from({ length: TALLY_SHARDS }, (_, k) => `${jobId}/${k}`);
export const jobOfShard = (shardId: string) => shardId.slice(0, shardId.lastIndexOf('/'));

/** A job's pages by shard id (what the cut writes as each shard's `expected`). */
export function expectedByShard(jobId: string, pageIds: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(tallyShardsOf(jobId).map((id) => [id, []]));
  for (const pageId of pageIds) out.get(tallyShardOf(jobId, pageId))!.push(pageId);
  return out;
}

const pageOfRecord = (record: string) => record.slice(0, record.indexOf(' '));

/** Whether every page a shard expects has a record in it. */
export function shardComplete(shard: { expected?: readonly string[]; pages?: readonly string[] }): boolean {
  if (!shard.expected) return false;
  const counted = new Set((shard.pages ?? []).map(pageOfRecord));
  return shard.expected.every((p) => counted.has(p));
}

/**
 * A job's tally is append-only lists of page records (`$push` on a filter of exactly `{_id}`, see sheet.ts); the
 * first record of a page counts, so a page sent again after a crash or a replayed work item is never counted twice.
 * One record: `pageId recipients expected sent failed duplicates capped fallbacks byChannel settled`, byChannel as
 * `channel:sent:failed;…` and settled as `at:n;…` (at in base 36 ms), `-` when empty.
 */
export function encodeTally(t: PageTally): string {
  const byChannel = Object.entries(t.byChannel).map(([c, f]) => `${c}:${f.sent}:${f.failed}`).join(';') || '-';
  const settled = t.settled.map(([at, n]) => `${at.toString(36)}:${n}`).join(';') || '-';
  return [t.pageId, t.recipients, t.expected, t.sent, t.failed, t.duplicatesSkipped, t.frequencyCapped, t.fallbacks, byChannel, settled].join(' ');
}

export function decodeTally(record: string): PageTally {
  const [pageId, recipients, expected, sent, failed, duplicatesSkipped, frequencyCapped, fallbacks, byChannel, settled] = record.split(' ');
  if (!pageId || settled === undefined) throw new Error(`a malformed page tally: ${record.slice(0, 80)}`);
  const channels: ChannelTally = {};
  if (byChannel !== '-') {
    for (const part of byChannel!.split(';')) {
      const [c, s, f] = part.split(':');
      channels[c!] = { sent: Number(s), failed: Number(f) };
    }
  }
  return {
    pageId,
    recipients: Number(recipients),
    expected: Number(expected),
    sent: Number(sent),
    failed: Number(failed),
    duplicatesSkipped: Number(duplicatesSkipped),
    frequencyCapped: Number(frequencyCapped),
    fallbacks: Number(fallbacks),
    byChannel: channels,
    settled: settled === '-' ? [] : settled.split(';').map((p) => p.split(':')).map(([at, n]) => [parseInt(at!, 36), Number(n)] as [number, number]),
  };
}

/** Add per-channel figures together. */
export function addChannels(into: ChannelTally, more: ChannelTally | undefined): ChannelTally {
  for (const [channel, f] of Object.entries(more ?? {})) {
    const c = (into[channel] ??= { sent: 0, failed: 0 });
    c.sent += f.sent;
    c.failed += f.failed;
  }
  return into;
}

/** A job's figures so far: the sum of the first record of each page. */
export interface JobFigures {
  pagesCounted: number;
  /** Pages the cut queued that are not counted yet (known once the cut wrote its expectations). */
  pagesToCount: number;
  vulnerablePagesCounted: number;
  sent: number;
  failed: number;
  duplicatesSkipped: number;
  frequencyCapped: number;
  fallbacks: number;
  byChannel: ChannelTally;
  /** Recipients found minus recipients expected, over the counted pages (the registry changed after the cut). */
  totalCorrection: number;
  /** When recipients were settled, for the time to reach. */
  settled: { at: number; n: number }[];
}

export function sumTallies(records: readonly string[], expected: readonly string[] = []): JobFigures {
  const f: JobFigures = { pagesCounted: 0, pagesToCount: 0, vulnerablePagesCounted: 0, sent: 0, failed: 0, duplicatesSkipped: 0, frequencyCapped: 0, fallbacks: 0, byChannel: {}, totalCorrection: 0, settled: [] };
  const seen = new Set<string>();
  for (const record of records) {
    const t = decodeTally(record);
    if (seen.has(t.pageId)) continue;
    seen.add(t.pageId);
    f.pagesCounted++;
    if (isVulnerablePage(t.pageId)) f.vulnerablePagesCounted++;
    f.sent += t.sent;
    f.failed += t.failed;
    f.duplicatesSkipped += t.duplicatesSkipped;
    f.frequencyCapped += t.frequencyCapped;
    f.fallbacks += t.fallbacks;
    f.totalCorrection += t.recipients - t.expected;
    addChannels(f.byChannel, t.byChannel);
    for (const [at, n] of t.settled) f.settled.push({ at, n });
  }
  f.pagesToCount = expected.filter((p) => !seen.has(p)).length;
  return f;
}
