import { AfterActionReport } from '@lifeline/contracts';
import { buildReport } from '../src/report';
import { drillExecutions, inputsFor, t, WEAK, type DrillShape } from './fixtures';

describe('the after-action report from the workflow histories', () => {
  const report = buildReport(inputsFor(WEAK));

  it('is a valid contract document', () => {
    expect(AfterActionReport.safeParse(report).success).toBe(true);
  });

  it('reads the same facts from local-activity markers (records only, no inputs) as from activities', () => {
    const fromMarkers = buildReport({ ...inputsFor(WEAK), executions: drillExecutions(WEAK, 'local') });
    expect(fromMarkers).toEqual(report);
    // The facts come from the records: a marker whose record is unreadable is not guessed at.
    const broken = drillExecutions(WEAK, 'local').map((e) => ({
      ...e,
      events: e.events.map((ev) => (ev.type === 'local-activity' && ev.activityType === 'reserveSupplies' ? { ...ev, result: { reservationId: 'r1' } } : ev)),
    }));
    expect(buildReport({ ...inputsFor(WEAK), executions: broken }).supplies.byItem).not.toEqual(report.supplies.byItem);
  });

  it('reads a warn the district ran for its communities (patch `district-warns`) as if each community had run it', () => {
    const fromDistrict = buildReport({ ...inputsFor(WEAK), executions: drillExecutions(WEAK, 'local', 'district') });
    expect(fromDistrict).toEqual(report);
    expect(fromDistrict.warning.total).toBe(WEAK.warned.total);
    // Without the community named in its records, a district's broadcast belongs to no community and is not counted.
    const unnamed = drillExecutions(WEAK, 'local', 'district').map((e) => ({
      ...e,
      events: e.events.map((ev) => (ev.type === 'local-activity' && ev.activityType === 'broadcast' && ev.result ? { ...ev, result: { ...ev.result, communityId: undefined } } : ev)),
    }));
    expect(buildReport({ ...inputsFor(WEAK), executions: unnamed }).warning).not.toEqual(report.warning);
  });

  it('reads reservations and issues the district made for its communities (patch `district-steps`) as if each community had', () => {
    const fromDistrict = buildReport({ ...inputsFor(WEAK), executions: drillExecutions(WEAK, 'local', 'district-steps') });
    expect(fromDistrict).toEqual(report);
    expect(fromDistrict.supplies.byItem).toEqual(report.supplies.byItem);
    // Without the community named in its record, a district's reservation belongs to no community and is not counted.
    const unnamed = drillExecutions(WEAK, 'local', 'district-steps').map((e) => ({
      ...e,
      events: e.events.map((ev) => (ev.type === 'local-activity' && ev.activityType === 'reserveSupplies' && ev.result ? { ...ev, result: { ...ev.result, communityId: undefined } } : ev)),
    }));
    expect(buildReport({ ...inputsFor(WEAK), executions: unnamed }).supplies.byItem).not.toEqual(report.supplies.byItem);
  });

  it('rebuilds the phases in order with their durations, and the close', () => {
    expect(report.phases.map((p) => [p.phase, p.seconds])).toEqual([
      ['warn', 20],
      ['mobilize', 40],
      ['respond', 20],
      ['recover', 10],
      ['review', 10],
    ]);
    expect(report.durationSeconds).toBe(100);
    expect(report.timeline.at(-1)?.kind).toBe('closed');
  });

  it('lists accepted commands and counts an escalation among the escalations taken', () => {
    expect(report.commands).toEqual([expect.objectContaining({ type: 'escalate', reason: 'river rising', outcome: 'accepted' })]);
    expect(report.deadlines.escalations.map((e) => e.what)).toEqual(expect.arrayContaining(['command escalate']));
    expect(report.timeline.some((e) => e.kind === 'deadline' && e.what.includes('5s elapsed'))).toBe(true);
  });

  it('measures time to warn and, without the notification service, time to reach everyone from the last batch', () => {
    expect(report.warning.timeToWarnSeconds).toBe(3);
    expect(report.warning.reach).toEqual([
      { share: 0.5, seconds: null },
      { share: 0.9, seconds: null },
      { share: 1, seconds: 15 },
    ]);
  });

  it('prefers the notification service’s time to reach each share, offset by the time to warn', () => {
    const withService = buildReport(inputsFor(WEAK, undefined, { notification: { timeToReach: { p50: 2, p90: 5, p100: 9 }, replies: 12 } }));
    expect(withService.warning.reach.map((r) => r.seconds)).toEqual([5, 8, 12]);
    expect(withService.warning.replies).toBe(12);
  });

  it('gives acknowledgement rates and delays per role', () => {
    const shape: DrillShape = {
      ...WEAK,
      tasks: [
        { stepId: 'dispatch-grid-worker', role: 'grid-worker', owners: ['gw-1', 'gw-2'], ackedBy: 'gw-2', ackAfter: 8 },
        { stepId: 'span-deputy-1', role: 'building-leader', owners: ['bl-1'], ackedBy: 'bl-1', ackAfter: 2 },
      ],
    };
    const r = buildReport(inputsFor(shape));
    expect(r.acknowledgements).toEqual([
      { role: 'building-leader', tasks: 1, acknowledged: 1, rate: 1, meanDelaySeconds: 2, maxDelaySeconds: 2, fallbacks: 0, missed: 0 },
      { role: 'grid-worker', tasks: 1, acknowledged: 1, rate: 1, meanDelaySeconds: 8, maxDelaySeconds: 8, fallbacks: 1, missed: 0 },
    ]);
    expect(r.nonAcknowledging).toEqual([{ personId: 'gw-1', role: 'grid-worker', communityId: 'c-weak' }]);
    // The deadline rule firing is an escalation taken, in the timeline too.
    expect(r.deadlines.escalations.map((e) => [e.what, e.detail])).toEqual([
      ['command escalate', 'river rising'],
      ['severity now III', undefined],
      ['fallback-to-backup: dispatch-grid-worker in c-weak', 'gw-1 → gw-2'],
    ]);
    expect(r.volunteers.hours).toBe(4);
  });

  it('attributes a one-line reservation’s shortfall to its item and community', () => {
    expect(report.supplies.shortfalls).toEqual([{ communityId: 'c-weak', itemCode: 'tent', requested: 5, missing: 4 }]);
    // Per item from the workflow: the reservation had one line, was issued in respond and never returned.
    expect(report.supplies.byItem).toEqual([{ itemCode: 'tent', requested: 5, reserved: 1, issued: 1, returned: 0, shortfall: 4 }]);
    expect(report.supplies.totals).toEqual({ reserved: 1, issued: 1, returned: 0, shortfall: 4 });
  });

  it('takes per-item figures, stale stock, needs and honour candidates from the services when they give them', () => {
    const r = buildReport(
      inputsFor(WEAK, undefined, {
        supplies: { byItem: { tent: { reserved: 1, issued: 1, returned: 1, shortfall: 4 } }, staleStock: [{ itemCode: 'medicine-kit', depotId: 'dp', quantity: 3, reason: 'expired' }] },
        notification: { cases: { opened: 4, closed: 3, medianSecondsToClose: 120 }, doorKnocks: 2 },
        honourCandidates: [{ participantId: 'gw-2', honour: 'model-individual', points: 40 }],
      }),
    );
    expect(r.supplies.byItem[0]).toMatchObject({ reserved: 1, returned: 1 });
    expect(r.needs).toEqual({ opened: 4, closed: 3, medianTimeToCloseSeconds: 120, doorKnocks: 2 });
    expect(r.honourCandidates).toHaveLength(1);
    expect(r.findings.map((f) => f.code)).toContain('stale-stock');
  });

  it('names each seeded weakness as a finding', () => {
    const codes = report.findings.map((f) => f.id);
    expect(codes).toEqual(
      expect.arrayContaining(['supplies-shortfall:c-weak:tent', 'missed-acknowledgement:c-weak:dispatch-grid-worker', 'span-too-wide:c-weak']),
    );
    expect(report.findings.find((f) => f.code === 'missed-acknowledgement')?.personIds).toEqual(['gw-1']);
    expect(report.findings.find((f) => f.code === 'span-too-wide')).toMatchObject({ measured: 600, threshold: 400 });
    expect(report.deadlines.missed).toHaveLength(1);
  });

  it('names the grids the personnel readiness report finds too wide', () => {
    const r = buildReport(inputsFor(WEAK, undefined, { readiness: { grids: [{ gridId: 'g-1', communityId: 'c-weak', span: 600, tooWide: true }, { gridId: 'g-2', communityId: 'c-weak', span: 10, tooWide: false }] } }));
    expect(r.findings.find((f) => f.code === 'span-too-wide')?.gridIds).toEqual(['g-1']);
  });

  it('does not count a broadcast nobody waited for (a stand-down all-clear) as residents not reached', () => {
    const executions = drillExecutions(WEAK);
    const run = executions.find((e) => e.runId === 'r2')!;
    run.events.splice(run.events.length - 1, 0,
      { type: 'activity-scheduled', at: t(58), scheduledId: 'ac', activityType: 'broadcast', input: { stepId: 'stand-down-all-clear', channels: ['sms'], audience: { groups: ['everyone'] } } },
      { type: 'activity-completed', at: t(58), scheduledId: 'ac', result: { jobId: 'j2', total: 600, sent: 0, failed: 0, completed: false } },
    );
    const r = buildReport({ ...inputsFor(WEAK), executions });
    expect(r.findings.map((f) => f.id)).not.toContain('unreached-residents:c-weak:stand-down-all-clear');
    // The awaited warning of the same run is still judged.
    const short = buildReport(inputsFor({ ...WEAK, warned: { total: 600, sent: 550 } }));
    expect(short.findings.map((f) => f.id)).toContain('unreached-residents:c-weak:warn-residents');
  });

  it('flags residents not reached and a slow first warning', () => {
    const r = buildReport({ ...inputsFor({ ...WEAK, warned: { total: 600, sent: 550 } }), thresholds: { maxSecondsToWarn: 2 } });
    expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['unreached-residents:c-weak:warn-residents', 'slow-warning']));
  });
});
