import { resilienceOf } from '../src/resilience';
import { renderReportHtml } from '../src/html';
import { buildReport } from '../src/report';
import { DEFAULT_THRESHOLDS } from '../src/inputs';
import type { TaskFacts } from '../src/history';
import { inputsFor, WEAK } from './fixtures';

const area = (figures: Partial<{ total: number; sent: number; reserved: number; shortfall: number; issued: number; returned: number; tasks: number; acknowledged: number; done: number }>) => ({
  districtId: 'd',
  communityId: 'c',
  population: 1000,
  figures: {
    notification: { jobs: 1, total: figures.total ?? 0, sent: figures.sent ?? 0 },
    supplies: { reserved: figures.reserved ?? 0, issued: figures.issued ?? 0, returned: figures.returned ?? 0, shortfall: figures.shortfall ?? 0 },
    personnel: { tasks: figures.tasks ?? 0, acknowledged: figures.acknowledged ?? 0, done: figures.done ?? 0, fallbacks: 0, missed: 0 },
    incentives: { awards: 0, points: 0 },
  },
});

const task = (owners: string[], ackedBy?: string): TaskFacts => ({
  taskId: owners.join('-'),
  communityId: 'c',
  stepId: 's',
  role: 'grid-worker',
  assignedAt: '2026-11-23T08:00:00.000Z',
  owners,
  fallbacks: owners.length - 1,
  fallbackAt: [],
  ...(ackedBy ? { acknowledgedAt: '2026-11-23T08:00:05.000Z', acknowledgedBy: ackedBy, doneAt: '2026-11-23T08:01:00.000Z' } : {}),
});

describe('resilience indicators', () => {
  it('resistance is the mean of reach, supply coverage and acknowledgement coverage', () => {
    const r = resilienceOf(area({ total: 100, sent: 80, reserved: 6, shortfall: 4, tasks: 2, acknowledged: 1 }), { residentsPerResponder: 500, tasks: [], thresholds: DEFAULT_THRESHOLDS });
    expect(r.resistance).toBeCloseTo((0.8 + 0.6 + 0.5) / 3, 3);
  });

  it('recovery is the mean of completion, stock returned and needs closed, leaving out what was not measured', () => {
    const r = resilienceOf(area({ tasks: 4, done: 2, issued: 10, returned: 5 }), { residentsPerResponder: 250, tasks: [], thresholds: DEFAULT_THRESHOLDS });
    expect(r.recovery).toBeCloseTo(0.5, 3);
    expect(r.inputs.needsClosed).toBeNull();
    const withCases = resilienceOf(area({ tasks: 4, done: 2, issued: 10, returned: 5 }), { residentsPerResponder: 250, tasks: [], thresholds: DEFAULT_THRESHOLDS, cases: { opened: 4, closed: 4 } });
    expect(withCases.recovery).toBeCloseTo(2 / 3, 3);
  });

  it('self-governance counts first owners who answered, the span of control and participation', () => {
    // One task answered by its first owner, one only by a backup: 0.5. Span 800 vs 400: 0.5. 2 participants per 1000 of 5: 0.4.
    const r = resilienceOf(area({}), { residentsPerResponder: 800, tasks: [task(['a'], 'a'), task(['b', 'c'], 'c')], thresholds: DEFAULT_THRESHOLDS });
    expect(r.selfGovernance).toBeCloseTo((0.5 + 0.5 + 0.4) / 3, 3);
    expect(r.inputs).toMatchObject({ firstOwnerAck: 0.5, spanScore: 0.5, participantsPerThousand: 2 });
  });

  it('nothing measured scores zero, never NaN', () => {
    const r = resilienceOf({ ...area({}), population: 0 }, { residentsPerResponder: null, tasks: [], thresholds: DEFAULT_THRESHOLDS });
    expect([r.resistance, r.recovery, r.selfGovernance]).toEqual([0, 0, 0]);
  });
});

describe('the HTML report', () => {
  const report = { ...buildReport(inputsFor(WEAK)), title: 'Typhoon <script>alert(1)</script>' };

  it('speaks zh-CN or en and escapes what operators typed', () => {
    const zh = renderReportHtml(report, 'zh-CN');
    const en = renderReportHtml(report, 'en');
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('预案修订建议');
    expect(en).toContain('Proposed plan revisions');
    expect(zh).not.toContain('<script>');
    expect(zh).toContain('&lt;script&gt;');
  });

  it('draws its charts inline and loads nothing from elsewhere', () => {
    const html = renderReportHtml(report, 'en');
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });

  it('shows each finding and each proposal with its patch against the plan version', () => {
    const html = renderReportHtml(report, 'en');
    for (const f of report.findings) expect(html).toContain(`data-code="${f.code}"`);
    expect(html).toContain('/phases/mobilize/0/items/0/minimum');
  });
});
