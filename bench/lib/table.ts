/**
 * The bench's one table: a row per measured quantity, beside its naive baseline and the goal. Pure (no I/O),
 * unit tested: goal evaluation, the ratio's direction and the text of every cell.
 */

/** Which way is better for a quantity: rates grow, durations and counts of faults shrink. */
export type Better = 'higher' | 'lower';

/** A goal from the issue: a bound on a number, or a yes/no property. */
export type Goal = { op: '<=' | '>=' | '=='; target: number; /** A quick row's goal scaled down from the (shown beside it). */ scaledFrom?: number } | { op: 'yes' };

export interface Row {
  figure: string;
  metric: string;
  unit: string;
  value?: number | boolean;
  baseline?: number;
  better: Better;
  goal?: Goal;
  /** Measured with the reduced sizes of `--quick`. */
  quick: boolean;
  note?: string;
  /** The figure failed: the row carries the message instead of a value. */
  error?: string;
}

/** Whether a value meets its goal; undefined when there is no goal or no value. */
export function meets(value: number | boolean | undefined, goal: Goal | undefined): boolean | undefined {
  if (goal === undefined || value === undefined) return undefined;
  if (goal.op === 'yes') return value === true;
  if (typeof value !== 'number') return undefined;
  if (goal.op === '<=') return value <= goal.target;
  if (goal.op === '>=') return value >= goal.target;
  return value === goal.target;
}

/**
 * How many times better than the baseline, in the direction that makes bigger better: value ÷ baseline for rates,
 * baseline ÷ value for durations. Undefined without a usable pair.
 */
export function ratio(row: Pick<Row, 'value' | 'baseline' | 'better'>): number | undefined {
  const { value, baseline, better } = row;
  if (typeof value !== 'number' || baseline === undefined || !(value > 0) || !(baseline > 0)) return undefined;
  return better === 'higher' ? value / baseline : baseline / value;
}

/** A number as people read it: integers grouped by thousands, small values with up to 3 significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) || Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return String(Number(n.toPrecision(3)));
}

const withUnit = (n: number, unit: string) => (unit ? `${formatNumber(n)} ${unit}` : formatNumber(n));

export function formatGoal(goal: Goal | undefined, unit: string): string {
  if (goal === undefined) return '—';
  if (goal.op === 'yes') return 'yes';
  const op = goal.op === '<=' ? '≤' : goal.op === '>=' ? '≥' : '=';
  const scaled = goal.scaledFrom === undefined ? '' : ` (scaled from ${op} ${withUnit(goal.scaledFrom, unit)})`;
  return `${op} ${withUnit(goal.target, unit)}${scaled}`;
}

export const TABLE_HEADER = ['figure', 'value', 'baseline', 'ratio (× better)', 'goal', 'met?'] as const;

/** The cells of one row, in TABLE_HEADER's order. */
export function cells(row: Row): string[] {
  const figure = `${row.figure} · ${row.metric}${row.quick ? ' (quick)' : ''}`;
  if (row.error !== undefined) return [figure, `error: ${row.error}`, '—', '—', formatGoal(row.goal, row.unit), 'no'];
  const value = row.value === undefined ? '—' : typeof row.value === 'boolean' ? (row.value ? 'yes' : 'no') : withUnit(row.value, row.unit);
  const r = ratio(row);
  const met = meets(row.value, row.goal);
  return [
    figure,
    row.note ? `${value} (${row.note})` : value,
    row.baseline === undefined ? '—' : withUnit(row.baseline, row.unit),
    r === undefined ? '—' : `${formatNumber(r)}×`,
    formatGoal(row.goal, row.unit),
    met === undefined ? '—' : met ? 'yes' : 'no',
  ];
}

/** A Markdown table (also readable as plain text); pipes inside cells are escaped. */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (r: readonly string[]) => `| ${r.map(esc).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const resultsTable = (rows: readonly Row[]): string => markdownTable(TABLE_HEADER, rows.map(cells));
