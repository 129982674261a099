import { AfterActionReport } from '@lifeline/contracts';
import { siteFacts, type Execution } from '../src/history';
import { renderReportHtml } from '../src/html';
import { buildReport } from '../src/report';
import { drillExecutions, inputsFor, SHELTERED, t, WEAK, type DrillShape } from './fixtures';

const withSites = (sites: Partial<NonNullable<DrillShape['sites']>>): DrillShape => ({ ...SHELTERED, sites: { ...SHELTERED.sites!, ...sites } });
const reportOf = (shape: DrillShape, executions?: Execution[]) => buildReport({ ...inputsFor(shape), ...(executions ? { executions } : {}) });

describe('the sites an open-site step opened, in the after-action report', () => {
  const report = reportOf(SHELTERED);

  it('lists each community’s sites with places asked for against places held, and when they opened and closed', () => {
    expect(AfterActionReport.safeParse(report).success).toBe(true);
    expect(report.sites).toEqual([
      {
        communityId: 'c-weak',
        stepId: 'open-shelters',
        phase: 'mobilize',
        siteKinds: ['school', 'community-centre'],
        siteIds: ['s-school-1', 's-school-2'],
        // 600 residents × 0.1: 60 asked for, 40 held, so the ask is known from the shortfall.
        requested: 60,
        capacity: 40,
        shortfall: 20,
        openedAt: t(51),
        closedAt: t(86),
        openAtEnd: false,
      },
    ]);
  });

  it('reads the same sites from local-activity markers (records only) as from activities', () => {
    expect(reportOf(SHELTERED, drillExecutions(SHELTERED, 'local')).sites).toEqual(report.sites);
    expect(reportOf(SHELTERED, drillExecutions(SHELTERED, 'local', 'district-steps')).sites).toEqual(report.sites);
  });

  it('names a shortfall of places as a finding, and not the sites that were closed', () => {
    const finding = report.findings.find((f) => f.code === 'sites-shortfall');
    expect(finding).toMatchObject({ id: 'sites-shortfall:c-weak:open-shelters', severity: 'high', communityId: 'c-weak', phase: 'mobilize', stepId: 'open-shelters', measured: 20, threshold: 0 });
    expect(finding?.message.en).toBe('The sites open-shelters opened in c-weak held 40 of 60 places asked for: 20 short');
    expect(report.findings.map((f) => f.code)).not.toContain('sites-left-open');
    // Enough places: no finding, and without the record saying so the ask is unknown (at most what was held).
    const enough = reportOf(withSites({ held: 80 }));
    expect(enough.sites?.[0]).toMatchObject({ requested: null, capacity: 80, shortfall: 0 });
    expect(enough.findings.map((f) => f.code)).not.toContain('sites-shortfall');
  });

  it('takes the ask and each site’s kind from the record when it says them', () => {
    const said = reportOf(withSites({ held: 80, recordsSay: true }), drillExecutions(withSites({ held: 80, recordsSay: true }), 'local'));
    expect(said.sites?.[0]).toMatchObject({ requested: 60, kinds: ['school', 'school'] });
  });

  it('a drill’s close names no site (supplies never stored them as open): the run that closed them gives the time', () => {
    const drill = withSites({ close: 'drill' });
    for (const commands of ['activities', 'local'] as const) {
      const sites = reportOf(drill, drillExecutions(drill, commands)).sites;
      expect(sites?.[0]).toMatchObject({ closedAt: t(86), openAtEnd: false });
    }
  });

  it('sites whose close failed are still open at the end, and that is a finding', () => {
    const failed = withSites({ close: 'failed' });
    for (const commands of ['activities', 'local'] as const) {
      const r = reportOf(failed, drillExecutions(failed, commands));
      expect(r.sites?.[0]).toMatchObject({ closedAt: null, openAtEnd: true });
      expect(r.findings.find((f) => f.code === 'sites-left-open')).toMatchObject({ id: 'sites-left-open:c-weak:open-shelters', severity: 'medium', measured: 2, threshold: 0 });
    }
  });

  it('without a readable state, a close naming the sites closes them; one naming none does not', () => {
    const stateless = (shape: DrillShape) =>
      drillExecutions(shape).map((e) => (e.runId === 'r4' ? { ...e, events: e.events.filter((ev) => ev.type !== 'completed') } : e));
    // The mobilize run's state (sites open) is then the last word on whether they are open, as the workflow knew it.
    const facts = siteFacts(stateless(SHELTERED));
    expect(facts[0]).toMatchObject({ closedAt: t(86), openAtEnd: true });
    expect(siteFacts(stateless(withSites({ close: 'drill' })))[0]?.closedAt).toBeUndefined();
  });

  it('a district’s open-site record counts for the community it names, and for none when it names none', () => {
    const fromDistrict = (communityId?: string): Execution[] => [
      ...drillExecutions(WEAK),
      {
        workflowId: 'incident-inc-1/district-d-1',
        runId: 'rd',
        events: [{ type: 'local-activity', at: t(51), scheduledAt: t(50), activityType: 'openSites', result: { siteIds: ['s-park-1'], capacity: 100, shortfall: 0, stepId: 'open-shelters', ...(communityId ? { communityId } : {}) } }],
      },
    ];
    expect(siteFacts(fromDistrict('c-weak')).map((s) => [s.communityId, s.siteIds])).toEqual([['c-weak', ['s-park-1']]]);
    expect(siteFacts(fromDistrict())).toEqual([]);
  });

  it('an unreadable record is not guessed at', () => {
    const broken = drillExecutions(SHELTERED, 'local').map((e) => ({
      ...e,
      events: e.events.map((ev) => (ev.type === 'local-activity' && ev.activityType === 'openSites' ? { ...ev, result: { siteIds: 's-school-1' } } : ev)),
    }));
    expect(reportOf(SHELTERED, broken).sites).toEqual([]);
  });

  it('a report of an incident without open-site steps has no sites and no site findings', () => {
    const plain = buildReport(inputsFor(WEAK));
    expect(plain.sites).toEqual([]);
    expect(plain.findings.some((f) => f.code.startsWith('sites-'))).toBe(false);
  });

  it('the HTML page shows the sites in both languages, and says when a stored report predates them', () => {
    const failed = reportOf(withSites({ close: 'failed' }));
    const en = renderReportHtml(failed, 'en');
    expect(en).toContain('<h2 id="sites">Shelters and gathering sites</h2>');
    expect(en).toMatch(/<td>c-weak<\/td><td>open-shelters<\/td><td>school, community-centre<\/td><td>s-school-1, s-school-2<\/td><td>60<\/td><td>40<\/td><td>20<\/td><td>08:00:51<\/td><td>still open at the end<\/td>/);
    const zh = renderReportHtml(report, 'zh-CN');
    expect(zh).toContain('避难与集结场所');
    expect(zh).toMatch(/<td>08:00:51<\/td><td>08:01:26<\/td>/);
    const { sites: _omitted, ...before } = report;
    expect(renderReportHtml(before, 'en')).toMatch(/<h2 id="sites">[^<]+<\/h2>\n<p class="none">unknown<\/p>/);
  });
});
