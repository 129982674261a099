import { PlanDocument, type IncidentView, type PlanInput } from '@lifeline/contracts';
import type { Execution, HistoryEvent } from '../src/history';
import type { ReportInputs } from '../src/inputs';

/** Seconds after the fixture's activation, as an ISO time. */
export const t = (seconds: number) => new Date(Date.UTC(2026, 10, 23, 8, 0, 0) + seconds * 1000).toISOString();

export const planInput = (overrides: Partial<{ maxFallbacks: number; onDeadline: string; ackDeadlineSeconds: number; minimum: number }> = {}): PlanInput => ({
  id: 'review-drill',
  version: 1,
  title: { zh: '复盘演练', en: 'Review drill' },
  kind: 'comprehensive',
  hazard: 'flood',
  severityScaling: { I: 2, II: 1.5, III: 1.2, IV: 1 },
  phases: {
    warn: [
      {
        id: 'warn-residents',
        kind: 'notify',
        title: { zh: '预警', en: 'Warn' },
        audience: { groups: ['everyone'] },
        channels: ['sms'],
        message: { zh: '注意', en: 'Attention' },
      },
    ],
    mobilize: [
      { id: 'reserve-tents', kind: 'reserve', action: 'reserve', title: { zh: '预留帐篷', en: 'Reserve tents' }, items: [{ itemCode: 'tent', perThousandResidents: 5, minimum: overrides.minimum ?? 1 }] },
      {
        id: 'dispatch-grid-worker',
        kind: 'dispatch',
        title: { zh: '指派网格员', en: 'Dispatch a grid worker' },
        role: 'grid-worker',
        task: { zh: '核查', en: 'Check' },
        ackDeadlineSeconds: overrides.ackDeadlineSeconds ?? 5,
        maxFallbacks: overrides.maxFallbacks ?? 0,
        onDeadline: (overrides.onDeadline ?? 'continue') as 'continue',
      },
    ],
    respond: [{ id: 'issue-tents', kind: 'reserve', action: 'issue', title: { zh: '发放', en: 'Issue' }, items: [] }],
    recover: [],
    review: [{ id: 'collect-figures', kind: 'collect', title: { zh: '汇总', en: 'Collect' }, figures: ['supplies'] }],
  },
});

export const plan = (overrides?: Parameters<typeof planInput>[0]) => PlanDocument.parse(planInput(overrides));

export interface DrillShape {
  population: number;
  /** Units of tent requested and missing. */
  requested: number;
  missing: number;
  /** Tasks of the community: owners tried, who acknowledged (undefined = nobody), seconds to acknowledge. */
  tasks: { stepId: string; role: string; owners: string[]; ackedBy?: string; ackAfter?: number; hours?: number }[];
  warned: { total: number; sent: number };
  escalate?: boolean;
}

const community = 'c-weak';

/** Histories of one incident with one community, shaped like the workflows write them. */
export function drillExecutions(shape: DrillShape): Execution[] {
  const incident: HistoryEvent[] = [
    { type: 'started', at: t(0), input: {} },
    { type: 'search-attributes', at: t(0), values: { LifelinePhase: ['warn'], LifelineIncidentId: ['inc-1'] } },
    { type: 'search-attributes', at: t(20), values: { LifelinePhase: ['mobilize'] } },
  ];
  if (shape.escalate) {
    incident.push({ type: 'update-accepted', at: t(25), updateId: 'u1', name: 'command', args: [{ type: 'escalate', reason: 'river rising', severity: 'III' }] });
    incident.push({ type: 'update-completed', at: t(25), updateId: 'u1', ok: true });
    incident.push({ type: 'search-attributes', at: t(25), values: { LifelineSeverity: ['III'] } });
  }
  incident.push(
    { type: 'search-attributes', at: t(60), values: { LifelinePhase: ['respond'] } },
    { type: 'search-attributes', at: t(80), values: { LifelinePhase: ['recover'] } },
    { type: 'search-attributes', at: t(90), values: { LifelinePhase: ['review'] } },
    { type: 'timer-started', at: t(91), timerId: '1', seconds: 5 },
    { type: 'timer-fired', at: t(96), timerId: '1' },
    { type: 'search-attributes', at: t(100), values: { LifelinePhase: ['closed'] } },
    { type: 'completed', at: t(100), result: {} },
  );

  const warn: HistoryEvent[] = [
    { type: 'activity-scheduled', at: t(3), scheduledId: '5', activityType: 'broadcast', input: { stepId: 'warn-residents', channels: ['sms'], audience: { groups: ['everyone'] } } },
    { type: 'activity-completed', at: t(4), scheduledId: '5', result: { jobId: 'j1', total: shape.warned.total, sent: 0, failed: 0, completed: false } },
    { type: 'activity-scheduled', at: t(4), scheduledId: '9', activityType: 'awaitBroadcast', input: { jobId: 'j1' } },
    { type: 'activity-completed', at: t(15), scheduledId: '9', result: { jobId: 'j1', total: shape.warned.total, sent: shape.warned.sent, failed: 0, completed: shape.warned.sent >= shape.warned.total } },
    { type: 'completed', at: t(16), result: { notes: [] } },
  ];
  const mobilize: HistoryEvent[] = [
    { type: 'activity-scheduled', at: t(21), scheduledId: '5', activityType: 'reserveSupplies', input: { idempotencyKey: `incident-inc-1/community-${community}:reserve-tents`, lines: [{ itemCode: 'tent', quantity: shape.requested }] } },
    { type: 'activity-completed', at: t(22), scheduledId: '5', result: { reservationId: 'r1', status: 'reserved', units: shape.requested - shape.missing, shortfall: shape.missing } },
  ];
  const notes: { phase: string; stepId: string; note: string }[] = [];
  shape.tasks.forEach((task, i) => {
    const taskId = `task-${i}`;
    const at = 23 + i * 10;
    mobilize.push(
      { type: 'activity-scheduled', at: t(at), scheduledId: `d${i}`, activityType: 'dispatchResponder', input: { stepId: task.stepId, role: task.role } },
      { type: 'activity-completed', at: t(at), scheduledId: `d${i}`, result: { taskId, ownerId: task.owners[0], status: 'assigned' } },
    );
    task.owners.slice(1).forEach((owner, f) => {
      mobilize.push(
        { type: 'activity-scheduled', at: t(at + 5 * (f + 1)), scheduledId: `f${i}${f}`, activityType: 'fallbackResponder', input: { taskId } },
        { type: 'activity-completed', at: t(at + 5 * (f + 1)), scheduledId: `f${i}${f}`, result: { taskId, ownerId: owner, status: 'assigned' } },
      );
    });
    if (task.ackedBy) {
      mobilize.push({ type: 'signal', at: t(at + (task.ackAfter ?? 1)), name: 'taskProgress', input: { taskId, status: 'acknowledged', ownerId: task.ackedBy } });
      mobilize.push({ type: 'signal', at: t(at + (task.ackAfter ?? 1) + 2), name: 'taskProgress', input: { taskId, status: 'done', ownerId: task.ackedBy, hours: task.hours ?? 2 } });
    } else {
      notes.push({ phase: 'mobilize', stepId: task.stepId, note: 'missed acknowledgement: nobody acknowledged within 5s after 0 fallback(s) (rule: continue)' });
    }
  });
  mobilize.push({ type: 'completed', at: t(59), result: { notes } });

  return [
    { workflowId: 'incident-inc-1', runId: 'r0', events: incident },
    { workflowId: `incident-inc-1/community-${community}`, runId: 'r1', events: warn },
    { workflowId: `incident-inc-1/community-${community}`, runId: 'r2', events: mobilize },
    {
      workflowId: `incident-inc-1/community-${community}`,
      runId: 'r3',
      events: [
        { type: 'activity-scheduled', at: t(61), scheduledId: '5', activityType: 'issueSupplies', input: { reservationId: 'r1' } },
        { type: 'activity-completed', at: t(62), scheduledId: '5', result: { reservationId: 'r1', status: 'issued', units: shape.requested - shape.missing, shortfall: 0 } },
        { type: 'completed', at: t(79), result: { notes } },
      ],
    },
  ];
}

export function drillView(shape: DrillShape): IncidentView {
  const acked = shape.tasks.filter((x) => x.ackedBy).length;
  return {
    incidentId: 'inc-1',
    title: 'Review drill',
    planId: 'review-drill',
    planVersion: 1,
    severity: shape.escalate ? 'III' : 'IV',
    drill: true,
    phase: 'closed',
    status: 'completed',
    areas: [
      {
        districtId: 'd-weak',
        communityId: community,
        population: shape.population,
        lastPhase: 'recover',
        figures: {
          notification: { jobs: 1, total: shape.warned.total, sent: shape.warned.sent },
          supplies: { reserved: shape.requested - shape.missing, issued: shape.requested - shape.missing, returned: 0, shortfall: shape.missing },
          personnel: { tasks: shape.tasks.length, acknowledged: acked, done: acked, fallbacks: shape.tasks.reduce((s, x) => s + x.owners.length - 1, 0), missed: shape.tasks.length - acked },
          incentives: { awards: acked, points: acked * 20 },
        },
      },
    ],
    timeline: [{ at: t(0), what: 'activated' }],
    review: { incidentId: 'inc-1', planId: 'review-drill', planVersion: 1, outcome: 'completed', durationSeconds: 100, totals: {} as never, findings: [] },
  };
}

/** The seeded weaknesses: tents short, one grid worker for 600 residents, who never acknowledges. */
export const WEAK: DrillShape = {
  population: 600,
  requested: 5,
  missing: 4,
  tasks: [{ stepId: 'dispatch-grid-worker', role: 'grid-worker', owners: ['gw-1'] }],
  warned: { total: 600, sent: 600 },
  escalate: true,
};

export function inputsFor(shape: DrillShape, planDoc = plan(), services: ReportInputs['services'] = {}): ReportInputs {
  return {
    incidentId: 'inc-1',
    title: 'Review drill',
    drill: true,
    initialSeverity: 'IV',
    plan: planDoc,
    executions: drillExecutions(shape),
    view: drillView(shape),
    services,
    sources: { workflowHistory: { ok: true } },
    generatedAt: t(200),
  };
}
