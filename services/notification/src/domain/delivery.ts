import type { z } from 'zod';
import type { notificationContract } from '@lifeline/contracts';

type Channel = z.infer<typeof notificationContract.Channel>;
type LocalizedText = { zh: string; en: string };

/**
 * The channel a broadcast uses for each resident: the first the plan step names. One delivery per resident per step
 * is the rule (residents were phoned "again and again"); further channels are fallbacks for a later step.
 */
export function primaryChannel(channels: readonly Channel[]): Channel {
  const first = channels[0];
  if (first === undefined) throw new Error('a broadcast names at least one channel');
  return first;
}

/** The resident-facing text in the resident's language. */
export function messageFor(message: LocalizedText, language: 'zh' | 'en'): string {
  return message[language];
}

/** How one batch went, counted from the delivery statuses this job owns for it. */
export interface BatchTally {
  sent: number;
  failed: number;
  /** Residents of the batch this job did not message because this incident step had already reached them. */
  duplicatesSkipped: number;
}

export function tallyBatch(batchSize: number, statuses: readonly string[]): BatchTally {
  const sent = statuses.filter((s) => s === 'sent').length;
  const failed = statuses.filter((s) => s === 'failed').length;
  return { sent, failed, duplicatesSkipped: Math.max(0, batchSize - sent - failed) };
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

export function progressOf(job: { batches: number }, results: readonly (BatchTally & { batch: number })[]): JobProgress {
  const batchesDone = [...new Set(results.map((r) => r.batch))].sort((a, b) => a - b);
  const sum = (k: keyof BatchTally) => results.reduce((n, r) => n + r[k], 0);
  const status = allBatchesDone({ batches: job.batches, batchesDone }) ? 'completed' : batchesDone.length > 0 ? 'sending' : 'queued';
  return { status, batchesDone, sent: sum('sent'), failed: sum('failed'), duplicatesSkipped: sum('duplicatesSkipped') };
}
