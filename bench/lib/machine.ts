import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** What the figures were measured on: they follow the machine and its load, so the results say both. */
export interface Machine {
  date: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  commit: string;
}

/**
 * The commit measured, marked when tracked files differ from it. `LIFELINE_BENCH_COMMIT` names it for a tree
 * without `.git` (e.g. a `git archive` of HEAD, run apart from a work tree that others are editing).
 */
function gitCommit(repoRoot: string): string {
  if (process.env.LIFELINE_BENCH_COMMIT) return process.env.LIFELINE_BENCH_COMMIT;
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

export function machine(repoRoot: string): Machine {
  return { date: new Date().toISOString(), cpus: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, commit: gitCommit(repoRoot) };
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export const loadNow = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');
