import type { BenchContext } from './context';
import type { Row } from './table';
import { pollUntil } from '@lifeline/testkit';

/** One figure of the table: measured beside its naive baseline, in the same run, on the same stack. */
export interface Figure {
  /** What `--only` matches (a prefix selects several, e.g. `broadcast`). */
  id: string;
  title: string;
  /**
   * A full run gives this figure a fresh stack: its data (a million residents) would otherwise stay in FerretDB,
   * whose filters (all but `_id` and indexed equalities) scan whole collections, and slow every figure after it.
   * `--quick` and `--reuse` share one stack.
   */
  ownStack?: boolean;
  run(ctx: BenchContext): Promise<Row[]>;
}

/** Scales a duration goal to a quick run's smaller size (a rate-equivalent bound), or keeps it for a full run. */
export function sizedGoal(goalSeconds: number, size: number, fullSize: number): { op: '<='; target: number; scaledFrom?: number } {
  if (size >= fullSize) return { op: '<=', target: goalSeconds };
  return { op: '<=', target: Number(((goalSeconds * size) / fullSize).toPrecision(3)), scaledFrom: goalSeconds };
}

/** Waits until `probe` returns a value (polling every `everyMs`), or fails naming what did not happen in time. */
export const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 1000) => pollUntil(what, probe, { timeoutMs, everyMs });
