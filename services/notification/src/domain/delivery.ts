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

/** The resident-facing text in the resident's language. */
export function messageFor(message: LocalizedText, language: 'zh' | 'en'): string {
  return message[language];
}

/**
 * Seconds from the job's start until 50 / 90 / 100 % of its recipients were settled, from the times the gateway
 * answered for them (recorded on the delivery sheets and carried into the job's page tallies). Undefined until the
 * job has recipients and settled ones.
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
