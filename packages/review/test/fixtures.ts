import { PlanDocument, type IncidentView, type PlanInput } from '@lifeline/contracts';
import type { Execution, HistoryEvent } from '../src/history';
import type { ReportInputs } from '../src/inputs';

/** Seconds after the fixture's activation, as an ISO time. */
export const t = (seconds: number) => new Date(Date.UTC(2026, 10, 23, 8, 0, 0) + seconds * 1000).toISOString();

/** The plan's open-site step (with `openSite`): schools and community centres for a tenth of the community. */
export const OPEN_SHELTERS = { id: 'open-shelters', kind: 'open-site', title: { zh: '开放避难场所', en: 'Open shelters' }, siteKinds: ['school', 'community-centre'], capacityShare: 0.1 } as const;

export const planInput = (overrides: Partial<{ maxFallbacks: number; onDeadline: string; ackDeadlineSeconds: number; minimum: number; openSite: boolean }> = {}): PlanInput => ({
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
      ...(overrides.openSite ? [{ ...OPEN_SHELTERS, siteKinds: [...OPEN_SHELTERS.siteKinds] }] : []),
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
  /**
   * The open-site step's sites (opened in mobilize, closed when recover ends): places held, whether the records echo
   * what was asked (`requested`, each site's kind), and how the close went — supplies names the sites it closed, names
   * none (a drill: it never stored them as open), or the close failed and the state keeps them open.
   */
  sites?: { siteIds: string[]; kinds: string[]; held: number; recordsSay?: boolean; close: 'named' | 'drill' | 'failed' };
}

const community = 'c-weak';

/**
 * Histories of one incident with one community, shaped like the workflows write them: commands as activities
 * whose results do not echo their ask (generations v1–v4), or as local activities whose markers keep only the
 * record (v5 on).
 */
export function drillExecutions(shape: DrillShape, commands: 'activities' | 'local' = 'activities', stepsAt: 'community' | 'district' | 'district-steps' = 'community'): Execution[] {
  // Where the warn ran (patch `district-warns`), and the reserve and issue too (patch `district-steps`).
  const warnAt = stepsAt === 'community' ? 'community' : 'district';
  const reserveAt = stepsAt === 'district-steps' ? 'district' : 'community';
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

  // Each command as the workflows record it: what it asked, and its record (echoing the ask since generation v5).
  const cmd = (id: string, at: number, doneAt: number, activityType: string, asked: Record<string, unknown>, result: Record<string, unknown>, echo: Record<string, unknown> = {}): HistoryEvent[] =>
    commands === 'local'
      ? [{ type: 'local-activity', at: t(doneAt), scheduledAt: t(at), activityType, result: { ...result, ...echo } }]
      : [
          { type: 'activity-scheduled', at: t(at), scheduledId: id, activityType, input: asked },
          { type: 'activity-completed', at: t(doneAt), scheduledId: id, result },
        ];
  const places = Math.ceil(shape.population * OPEN_SHELTERS.capacityShare);
  const sites = shape.sites;
  const siteRecord = (status: 'open' | 'closed') => (sites ? { sites: [{ stepId: OPEN_SHELTERS.id, siteIds: sites.siteIds, capacity: sites.held, shortfall: Math.max(0, places - sites.held), status }] } : {});
  const state = (notes: { phase: string; stepId: string; note: string }[], sitesAre: 'open' | 'closed' = 'open') => ({
    districtId: 'd-1',
    communityId: community,
    population: shape.population,
    reservations: [],
    tasks: [],
    ...siteRecord(sitesAre),
    figures: { notification: { jobs: 1, total: 0, sent: 0 }, supplies: { reserved: 0, issued: 0, returned: 0, shortfall: 0 }, personnel: { tasks: 0, acknowledged: 0, done: 0, fallbacks: 0, missed: 0 }, incentives: { awards: 0, points: 0 } },
    notes,
  });

  const warnedAll = shape.warned.sent >= shape.warned.total;
  // A district warning its communities itself (patch `district-warns`) has records that name the community.
  const named = warnAt === 'district' ? { communityId: community } : {};
  const warn: HistoryEvent[] = [
    ...cmd('5', 3, 4, 'broadcast', { stepId: 'warn-residents', channels: ['sms'], audience: { groups: ['everyone'] } }, { jobId: 'j1', status: 'sending', total: shape.warned.total, sent: 0, failed: 0, completed: false, ...named }, { stepId: 'warn-residents', channels: ['sms'], groups: ['everyone'] }),
    ...(warnAt === 'district'
      ? cmd('9', 4, 15, 'awaitBroadcasts', { jobIds: ['j1'] }, { jobs: [{ jobId: 'j1', status: warnedAll ? 'completed' : 'sending', total: shape.warned.total, sent: shape.warned.sent, failed: 0, completed: warnedAll, ...named }] })
      : cmd('9', 4, 15, 'awaitBroadcast', { jobId: 'j1' }, { jobId: 'j1', status: warnedAll ? 'completed' : 'sending', total: shape.warned.total, sent: shape.warned.sent, failed: 0, completed: warnedAll })),
    { type: 'completed', at: t(16), result: warnAt === 'district' ? [state([])] : state([]) },
  ];
  const reserve = cmd(
    '5',
    21,
    22,
    'reserveSupplies',
    { idempotencyKey: `incident-inc-1/community-${community}:reserve-tents`, lines: [{ itemCode: 'tent', quantity: shape.requested }] },
    { reservationId: 'r1', status: 'reserved', units: shape.requested - shape.missing, shortfall: shape.missing, ...(reserveAt === 'district' ? { communityId: community } : {}) },
    { stepId: 'reserve-tents', lines: [{ itemCode: 'tent', quantity: shape.requested }] },
  );
  const mobilize: HistoryEvent[] = reserveAt === 'community' ? [...reserve] : [];
  const notes: { phase: string; stepId: string; note: string }[] = [];
  shape.tasks.forEach((task, i) => {
    const taskId = `task-${i}`;
    const at = 23 + i * 10;
    mobilize.push(...cmd(`d${i}`, at, at, 'dispatchResponder', { stepId: task.stepId, role: task.role }, { taskId, ownerId: task.owners[0], status: 'assigned' }, { stepId: task.stepId, role: task.role }));
    task.owners.slice(1).forEach((owner, f) => {
      mobilize.push(...cmd(`f${i}${f}`, at + 5 * (f + 1), at + 5 * (f + 1), 'fallbackResponder', { taskId }, { taskId, ownerId: owner, status: 'assigned' }));
    });
    if (task.ackedBy) {
      mobilize.push({ type: 'signal', at: t(at + (task.ackAfter ?? 1)), name: 'taskProgress', input: { taskId, status: 'acknowledged', ownerId: task.ackedBy } });
      mobilize.push({ type: 'signal', at: t(at + (task.ackAfter ?? 1) + 2), name: 'taskProgress', input: { taskId, status: 'done', ownerId: task.ackedBy, hours: task.hours ?? 2 } });
    } else {
      notes.push({ phase: 'mobilize', stepId: task.stepId, note: 'missed acknowledgement: nobody acknowledged within 5s after 0 fallback(s) (rule: continue)' });
    }
  });
  if (sites) {
    const opened = { siteIds: sites.siteIds, capacity: sites.held, shortfall: Math.max(0, places - sites.held) };
    const said = sites.recordsSay ? { requested: places, kinds: sites.kinds } : {};
    mobilize.push(...cmd('os', 50, 51, 'openSites', { stepId: OPEN_SHELTERS.id, siteKinds: OPEN_SHELTERS.siteKinds, capacity: places }, { ...opened, ...said }, { stepId: OPEN_SHELTERS.id }));
  }
  mobilize.push({ type: 'completed', at: t(59), result: state(notes) });

  const issue = cmd('5', 61, 62, 'issueSupplies', { reservationId: 'r1' }, { reservationId: 'r1', status: 'issued', units: shape.requested - shape.missing, shortfall: 0 });
  // Recover runs for the community only to close its sites (the plan has no recover steps).
  const closing: HistoryEvent[] = !sites
    ? []
    : sites.close === 'failed'
      ? commands === 'local'
        ? [{ type: 'local-activity', at: t(86), scheduledAt: t(85), activityType: 'closeSites', failure: 'unavailable: supplies did not answer' }]
        : [{ type: 'activity-scheduled', at: t(85), scheduledId: 'cs', activityType: 'closeSites', input: { siteIds: sites.siteIds } }, { type: 'activity-failed', at: t(86), scheduledId: 'cs', message: 'unavailable: supplies did not answer' }]
      : cmd('cs', 85, 86, 'closeSites', { siteIds: sites.siteIds }, { siteIds: sites.close === 'named' ? sites.siteIds : [], capacity: sites.close === 'named' ? sites.held : 0, shortfall: 0 });
  const closeNote = sites?.close === 'failed' ? [...notes, { phase: 'recover', stepId: 'close-sites', note: `could not close the sites opened by ${OPEN_SHELTERS.id} (unavailable: supplies did not answer)` }] : notes;
  const district = 'incident-inc-1/district-d-1';
  return [
    { workflowId: 'incident-inc-1', runId: 'r0', events: incident },
    { workflowId: warnAt === 'district' ? district : `incident-inc-1/community-${community}`, runId: 'r1', events: warn },
    ...(reserveAt === 'district' ? [{ workflowId: district, runId: 'r1b', events: [...reserve, { type: 'completed', at: t(22), result: [state([])] } as HistoryEvent] }] : []),
    { workflowId: `incident-inc-1/community-${community}`, runId: 'r2', events: mobilize },
    reserveAt === 'district'
      ? { workflowId: district, runId: 'r3', events: [...issue, { type: 'completed', at: t(79), result: [state(notes)] } as HistoryEvent] }
      : { workflowId: `incident-inc-1/community-${community}`, runId: 'r3', events: [...issue, { type: 'completed', at: t(79), result: state(notes) } as HistoryEvent] },
    ...(sites ? [{ workflowId: `incident-inc-1/community-${community}`, runId: 'r4', events: [...closing, { type: 'completed', at: t(88), result: state(closeNote, sites.close === 'failed' ? 'open' : 'closed') } as HistoryEvent] }] : []),
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

/** WEAK, with shelters for 60 that held 40 (two schools), closed when recover ended. */
export const SHELTERED: DrillShape = { ...WEAK, sites: { siteIds: ['s-school-1', 's-school-2'], kinds: ['school', 'school'], held: 40, close: 'named' } };

export function inputsFor(shape: DrillShape, planDoc = plan({ openSite: Boolean(shape.sites) }), services: ReportInputs['services'] = {}): ReportInputs {
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
