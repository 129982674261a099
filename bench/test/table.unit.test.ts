import { cells, formatGoal, formatNumber, markdownTable, meets, ratio, resultsTable, type Row } from '../lib/table';
import { sizedGoal } from '../lib/figure';

const row = (over: Partial<Row>): Row => ({ figure: 'f', metric: 'm', unit: 's', better: 'lower', quick: false, ...over });

describe('goal evaluation', () => {
  it('holds a duration to an upper bound, a rate to a lower bound, a count to an exact value', () => {
    expect(meets(60, { op: '<=', target: 60 })).toBe(true);
    expect(meets(60.1, { op: '<=', target: 60 })).toBe(false);
    expect(meets(999, { op: '>=', target: 1000 })).toBe(false);
    expect(meets(1000, { op: '>=', target: 1000 })).toBe(true);
    expect(meets(0, { op: '==', target: 0 })).toBe(true);
    expect(meets(1, { op: '==', target: 0 })).toBe(false);
  });

  it('a yes/no goal is met only by yes, and nothing is judged without a value or a goal', () => {
    expect(meets(true, { op: 'yes' })).toBe(true);
    expect(meets(false, { op: 'yes' })).toBe(false);
    expect(meets(undefined, { op: '<=', target: 1 })).toBeUndefined();
    expect(meets(3, undefined)).toBeUndefined();
  });

  it('scales a duration goal to a quick run by size, and keeps it at full size', () => {
    expect(sizedGoal(60, 20_000, 1_000_000)).toEqual({ op: '<=', target: 1.2, scaledFrom: 60 });
    expect(sizedGoal(60, 1_000_000, 1_000_000)).toEqual({ op: '<=', target: 60 });
  });
});

describe('ratio', () => {
  it('is value ÷ baseline for rates and baseline ÷ value for durations, so bigger is always better', () => {
    expect(ratio({ value: 2000, baseline: 100, better: 'higher' })).toBe(20);
    expect(ratio({ value: 5, baseline: 50, better: 'lower' })).toBe(10);
  });

  it('is absent without a baseline or with a zero on either side', () => {
    expect(ratio({ value: 5, better: 'lower' })).toBeUndefined();
    expect(ratio({ value: 0, baseline: 5, better: 'lower' })).toBeUndefined();
    expect(ratio({ value: true, baseline: 5, better: 'higher' })).toBeUndefined();
  });
});

describe('table cells', () => {
  it('shows value, baseline, ratio, goal and verdict of a measured row', () => {
    expect(cells(row({ value: 12.345, baseline: 720.9, goal: { op: '<=', target: 60 } }))).toEqual(['f · m', '12.3 s', '721 s', '58.4×', '≤ 60 s', 'yes']);
  });

  it('marks quick rows, shows a scaled goal beside the issue\'s, and a note beside the value', () => {
    const c = cells(row({ quick: true, value: 3, goal: { op: '<=', target: 1.2, scaledFrom: 60 }, note: 'naive extrapolated' }));
    expect(c[0]).toBe('f · m (quick)');
    expect(c[1]).toBe('3 s (naive extrapolated)');
    expect(c[4]).toBe('≤ 1.2 s (scaled from ≤ 60 s)');
    expect(c[5]).toBe('no');
  });

  it('a failed figure carries its error in the value cell and is not met', () => {
    expect(cells(row({ metric: 'all', error: 'stack did not start', goal: undefined }))).toEqual(['f · all', 'error: stack did not start', '—', '—', '—', 'no']);
  });

  it('prints yes/no values and unitless counts', () => {
    expect(cells(row({ unit: '', value: false, goal: { op: 'yes' } })).slice(1)).toEqual(['no', '—', '—', 'yes', 'no']);
    expect(cells(row({ unit: '', value: 0, better: 'lower', goal: { op: '==', target: 0 } }))[4]).toBe('= 0');
  });

  it('groups thousands and keeps three significant digits below 100', () => {
    expect(formatNumber(1_000_000)).toBe('1,000,000');
    expect(formatNumber(1386.7)).toBe('1,387');
    expect(formatNumber(0.04567)).toBe('0.0457');
    expect(formatGoal({ op: '>=', target: 1000 }, '/s')).toBe('≥ 1,000 /s');
  });

  it('renders one Markdown table with a header, a rule and escaped pipes', () => {
    expect(markdownTable(['a', 'b'], [['x|y', 'z']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | z |');
    const text = resultsTable([row({ value: 1 }), row({ error: 'boom' })]);
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toContain('error: boom');
  });
});
