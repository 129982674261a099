import type { z } from 'zod';
import type { notificationContract } from '@lifeline/contracts';

type Channel = z.infer<typeof notificationContract.Channel>;
type LocalizedText = { zh: string; en: string };

/**
 * The channel a broadcast uses for each resident: the first the plan step names. One delivery per resident per step
 * is the rule (residents were phoned "again and again"); the second channel is tried only for residents the first failed.
 */
export function primaryChannel(channels: readonly Channel[]): Channel {
  const first = channels[0];
  if (first === undefined) throw new Error('a broadcast names at least one channel');
  return first;
}

/** The channel that retries residents the primary failed for: the next one the step names, if any. */
export function fallbackChannel(channels: readonly Channel[]): Channel | undefined {
  return channels.find((c) => c !== channels[0]);
}

/** The cap window a moment falls in (fixed windows of `windowMinutes`). */
export function capWindow(at: Date, windowMinutes: number): number {
  return Math.floor(at.getTime() / (windowMinutes * 60_000));
}

/** The resident-facing text in the resident's language. */
export function messageFor(message: LocalizedText, language: 'zh' | 'en'): string {
  return message[language];
}

/** Sent and failed per channel. */
export type ChannelTally = Record<string, { sent: number; failed: number }>;

/** How one batch went, counted from the delivery records this job owns for it. */
export interface BatchTally {
  sent: number;
  failed: number;
  /** Residents of the batch this job did not message because this incident step had already reached them. */
  duplicatesSkipped: number;
  /** Residents held back by the contact-frequency cap. */
  frequencyCapped: number;
  /** Residents reached (or tried) on a second channel after the first failed. */
  fallbacks: number;
  byChannel: ChannelTally;
}

export interface DeliveryOutcome {
  status: string;
  channel: string;
  fallbackFrom?: string;
}

export function tallyBatch(batchSize: number, outcomes: readonly DeliveryOutcome[]): BatchTally {
  const sent = outcomes.filter((o) => o.status === 'sent').length;
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const frequencyCapped = outcomes.filter((o) => o.status === 'capped').length;
  const byChannel: ChannelTally = {};
  for (const o of outcomes) {
    if (o.status !== 'sent' && o.status !== 'failed') continue;
    const c = (byChannel[o.channel] ??= { sent: 0, failed: 0 });
    c[o.status]++;
  }
  const fallbacks = outcomes.filter((o) => o.fallbackFrom !== undefined).length;
  return { sent, failed, frequencyCapped, fallbacks, byChannel, duplicatesSkipped: Math.max(0, batchSize - sent - failed - frequencyCapped) };
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

/** A job is complete when every batch has been counted exactly once. */
export function allBatchesDone(job: { batches: number; batchesDone: readonly number[] }): boolean {
  return new Set(job.batchesDone).size >= job.batches;
}

/** A job's progress: the sum of its counted batches. */
export interface JobProgress extends BatchTally {
  status: 'queued' | 'sending' | 'completed';
  batchesDone: number[];
}

type CountedBatch = Partial<BatchTally> & Pick<BatchTally, 'sent' | 'failed' | 'duplicatesSkipped'> & { batch: number };

/**
 * A job's figures from its counted batches. A job still being cut (`published: false`: its batch count is not known
 * yet) is never complete, even when every batch queued so far has been counted.
 */
export function progressOf(job: { batches: number; published?: boolean }, results: readonly CountedBatch[]): JobProgress {
  const batchesDone = [...new Set(results.map((r) => r.batch))].sort((a, b) => a - b);
  const sum = (k: 'sent' | 'failed' | 'duplicatesSkipped' | 'frequencyCapped' | 'fallbacks') => results.reduce((n, r) => n + (r[k] ?? 0), 0);
  const status = job.published !== false && allBatchesDone({ batches: job.batches, batchesDone }) ? 'completed' : batchesDone.length > 0 ? 'sending' : 'queued';
  const byChannel = results.reduce<ChannelTally>((acc, r) => addChannels(acc, r.byChannel), {});
  return { status, batchesDone, sent: sum('sent'), failed: sum('failed'), duplicatesSkipped: sum('duplicatesSkipped'), frequencyCapped: sum('frequencyCapped'), fallbacks: sum('fallbacks'), byChannel };
}

/**
 * Seconds from the job's start until 50 / 90 / 100 % of its recipients were settled, from the times its batches
 * were counted (each batch settles all its residents at once). Undefined until the job has recipients and results.
 */
export function timeToReach(startedAt: Date, total: number, batches: readonly { createdAt: Date; settled: number }[]): { p50: number; p90: number; p100: number } | undefined {
  if (total === 0 || batches.length === 0) return undefined;
  const ordered = [...batches].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const at = (share: number): number => {
    let n = 0;
    for (const b of ordered) {
      n += b.settled;
      if (n >= share * total) return Math.max(0, (b.createdAt.getTime() - startedAt.getTime()) / 1000);
    }
    return Math.max(0, (ordered[ordered.length - 1]!.createdAt.getTime() - startedAt.getTime()) / 1000);
  };
  const round = (x: number) => Math.round(x * 100) / 100;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p100: round(at(1)) };
}

/** Live figures: elapsed, share settled and the remaining time at the rate measured so far. */
export function liveProgress(startedAt: Date, now: Date, total: number, settled: number): { elapsedSeconds: number; percentDone: number; remainingSeconds?: number } {
  const elapsedSeconds = Math.max(0, (now.getTime() - startedAt.getTime()) / 1000);
  const percentDone = total === 0 ? 100 : Math.min(100, Math.round((settled / total) * 1000) / 10);
  const rate = elapsedSeconds > 0 ? settled / elapsedSeconds : 0;
  const remainingSeconds = settled >= total ? 0 : rate > 0 ? Math.round(((total - settled) / rate) * 10) / 10 : undefined;
  return { elapsedSeconds: Math.round(elapsedSeconds * 10) / 10, percentDone, ...(remainingSeconds === undefined ? {} : { remainingSeconds }) };
}
