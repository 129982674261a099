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

export function machine(repoRoot: string): Machine {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch {
    // not a git checkout: the commit stays unknown
  }
  return { date: new Date().toISOString(), cpus: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, commit };
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export const loadNow = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');
