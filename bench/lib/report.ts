/** The results file: the one table, then when and where it was measured and what each figure cost (pure). */
import type { Machine } from './machine';
import { resultsTable, type Row } from './table';

export interface FigureRun {
  title: string;
  startedAt: string;
  seconds: number;
  loadBefore: string;
  loadAfter: string;
  stack: string;
}

export interface Report {
  command: string;
  quick: boolean;
  machine: Machine;
  rows: Row[];
  runs: FigureRun[];
}

export function renderReport(r: Report): string {
  const m = r.machine;
  const runs = r.runs.map((f) => `| ${f.title} | ${f.startedAt} | ${f.seconds.toFixed(0)} | ${f.loadBefore} | ${f.loadAfter} | ${f.stack} |`);
  return [
    '# Lifeline benchmarks — results',
    '',
    `\`${r.command}\` on ${m.date}, commit ${m.commit}; ${m.cpus} CPUs, ${m.memoryGiB} GiB memory, Node ${m.node}.`,
    r.quick ? 'A **quick** run: reduced sizes (rows marked quick), duration goals scaled to the size where the work grows with it. The full run is `npm run bench`.' : 'A full run at the sizes of the issue.',
    '',
    resultsTable(r.rows),
    '',
    'Ratio: how many times better than the naive baseline measured in the same run (value ÷ baseline for rates, baseline ÷ value for durations and counts); what each baseline is: bench/README.md.',
    '',
    '## Figures as they ran',
    '',
    '| figure | started | seconds | load average before (1/5/15 min) | after | stack |',
    '| --- | --- | --- | --- | --- | --- |',
    ...runs,
    '',
  ].join('\n');
}
