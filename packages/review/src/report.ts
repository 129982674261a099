import { PHASES, type AfterActionReport, type Phase, type ReportTimelineEntry } from '@lifeline/contracts';
import { broadcastFacts, finalCommunityStates, isIncidentRun, reservationFacts, secondsBetween, siteFacts, taskFacts, type Execution, type TaskFacts } from './history';
import { DEFAULT_THRESHOLDS, type ReportInputs, type ItemFigures, type Thresholds } from './inputs';
import { detectFindings } from './findings';
import { locateStep, proposeRevisions } from './proposals';
import { resilienceOf } from './resilience';

type Report = AfterActionReport;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Phase changes, operator commands, timers and the close, from the incident run's own history. */
export function incidentTimeline(incident: Execution | undefined): { timeline: ReportTimelineEntry[]; phases: Report['phases']; commands: Report['commands']; startedAt?: string; closedAt?: string } {
  const timeline: ReportTimelineEntry[] = [];
  const phases: Report['phases'] = [];
  const commands: Report['commands'] = [];
  if (!incident) return { timeline, phases, commands };
  let phase: Report['timeline'][number]['phase'] = 'warn';
  let startedAt: string | undefined;
  let closedAt: string | undefined;
  const pendingUpdates = new Map<string, Report['commands'][number]>();
  const timers = new Map<string, number>();
  for (const e of incident.events) {
    switch (e.type) {
      case 'started':
        startedAt = e.at;
        timeline.push({ at: e.at, kind: 'activation', phase, what: 'incident activated' });
        break;
      case 'search-attributes': {
        const next = e.values.LifelinePhase?.[0];
        if (typeof next === 'string' && next !== phase) {
          const open = phases.at(-1);
          if (open && open.endedAt === null) Object.assign(open, { endedAt: e.at, seconds: round(secondsBetween(open.startedAt, e.at)) });
          phase = next as typeof phase;
          if ((PHASES as readonly string[]).includes(next)) phases.push({ phase: next as Phase, startedAt: e.at, endedAt: null, seconds: null });
          timeline.push({ at: e.at, kind: next === 'closed' ? 'closed' : 'phase', phase, what: `phase ${next}` });
        } else if (phases.length === 0 && next === 'warn') {
          phases.push({ phase: 'warn', startedAt: e.at, endedAt: null, seconds: null });
        }
        const severity = e.values.LifelineSeverity?.[0];
        if (typeof severity === 'string' && commands.length > 0) timeline.push({ at: e.at, kind: 'escalation', phase, what: `severity now ${severity}` });
        break;
      }
      case 'update-accepted': {
        const args = (e.args[0] ?? {}) as { type?: string; reason?: string };
        const command = { at: e.at, type: String(args.type ?? e.name), reason: String(args.reason ?? ''), ...(e.identity ? { by: e.identity } : {}), outcome: 'accepted' as const };
        pendingUpdates.set(e.updateId, command);
        commands.push(command);
        const kind = command.type === 'escalate' || command.type === 'deescalate' ? 'escalation' : 'command';
        timeline.push({ at: e.at, kind, phase, what: `command ${command.type}`, ...(command.reason ? { detail: command.reason } : {}) });
        break;
      }
      case 'update-completed': {
        const command = pendingUpdates.get(e.updateId);
        if (command && !e.ok) command.outcome = 'rejected';
        break;
      }
      case 'timer-started':
        timers.set(e.timerId, e.seconds);
        timeline.push({ at: e.at, kind: 'timer', phase, what: `timer ${e.seconds}s started` });
        break;
      case 'timer-fired':
        timeline.push({ at: e.at, kind: 'deadline', phase, what: `timer ${timers.get(e.timerId) ?? '?'}s elapsed` });
        break;
      case 'completed':
      case 'ended':
        closedAt = e.at;
        break;
    }
  }
  const open = phases.at(-1);
  if (open && open.endedAt === null && closedAt) Object.assign(open, { endedAt: closedAt, seconds: round(secondsBetween(open.startedAt, closedAt)) });
  return { timeline, phases, commands, ...(startedAt ? { startedAt } : {}), ...(closedAt ? { closedAt } : {}) };
}

/** Acknowledgement rate and delay per role, with fallbacks and tasks nobody acknowledged. */
export function acknowledgementsByRole(tasks: readonly TaskFacts[]): Report['acknowledgements'] {
  const roles = [...new Set(tasks.map((t) => t.role))].sort();
  return roles.map((role) => {
    const mine = tasks.filter((t) => t.role === role);
    const acked = mine.filter((t) => t.acknowledgedAt);
    const delays = acked.map((t) => secondsBetween(t.assignedAt, t.acknowledgedAt!));
    const meanDelay = mean(delays);
    return {
      role,
      tasks: mine.length,
      acknowledged: acked.length,
      rate: mine.length ? round(acked.length / mine.length, 3) : null,
      meanDelaySeconds: meanDelay === null ? null : round(meanDelay),
      maxDelaySeconds: delays.length ? round(Math.max(...delays)) : null,
      fallbacks: mine.reduce((s, t) => s + t.fallbacks, 0),
      missed: mine.length - acked.length,
    };
  });
}

/** Owners who held a task and never acknowledged it (pseudonymous ids), from the histories and the personnel summary. */
export function nonAcknowledging(tasks: readonly TaskFacts[], fromPersonnel: { personId: string; role?: string; communityId?: string }[] = []): Report['nonAcknowledging'] {
  const out = new Map<string, Report['nonAcknowledging'][number]>();
  for (const t of tasks) {
    for (const owner of t.owners) if (owner !== t.acknowledgedBy) out.set(owner, { personId: owner, role: t.role, communityId: t.communityId });
  }
  for (const p of fromPersonnel) if (!out.has(p.personId)) out.set(p.personId, p);
  return [...out.values()].sort((a, b) => a.personId.localeCompare(b.personId));
}

/** Time to warn and to reach 50 / 90 / 100 % of the warned residents, preferring the notification service's own figures. */
export function warningFigures(inputs: ReportInputs, startedAt: string): Report['warning'] {
  const broadcasts = broadcastFacts(inputs.executions);
  const warnSteps = new Set(inputs.plan.phases.warn.filter((s) => s.kind === 'notify').map((s) => s.id));
  const warn = broadcasts.filter((b) => warnSteps.has(b.stepId));
  const first = warn.map((b) => b.startedAt).sort()[0];
  const total = warn.reduce((s, b) => s + b.total, 0);
  const sent = warn.reduce((s, b) => s + b.sent, 0);
  const n = inputs.services.notification;
  const lastFinish = warn.every((b) => b.finishedAt) && warn.length ? warn.map((b) => b.finishedAt!).sort().at(-1) : undefined;
  const fromWorkflow = lastFinish ? round(secondsBetween(startedAt, lastFinish)) : null;
  const offset = first ? secondsBetween(startedAt, first) : 0;
  const service = (p: number | undefined) => (p === undefined ? null : round(offset + p));
  const reach = [
    { share: 0.5, seconds: service(n?.timeToReach?.p50) },
    { share: 0.9, seconds: service(n?.timeToReach?.p90) },
    { share: 1, seconds: service(n?.timeToReach?.p100) ?? (sent >= total && total > 0 ? fromWorkflow : null) },
  ];
  const channelTimes = new Map<string, number>();
  for (const b of warn) for (const c of b.channels) if (b.finishedAt) channelTimes.set(c, Math.max(channelTimes.get(c) ?? 0, secondsBetween(startedAt, b.finishedAt)));
  const byChannel = n?.byChannel
    ? Object.entries(n.byChannel).map(([channel, f]) => ({ channel, sent: f.sent, seconds: channelTimes.has(channel) ? round(channelTimes.get(channel)!) : null }))
    : [...channelTimes].map(([channel, seconds]) => ({ channel, sent, seconds: round(seconds) }));
  return {
    timeToWarnSeconds: first ? round(secondsBetween(startedAt, first)) : null,
    reach,
    total,
    sent,
    failed: n?.failed ?? null,
    byChannel: byChannel.sort((a, b) => a.channel.localeCompare(b.channel)),
    replies: n?.replies ?? null,
  };
}

/** Reserved / issued / returned and shortfalls per item and per community. */
export function suppliesFigures(inputs: ReportInputs): Report['supplies'] {
  const reservations = reservationFacts(inputs.executions);
  const areas = inputs.view.areas;
  const totals = areas.reduce(
    (t, a) => ({ reserved: t.reserved + a.figures.supplies.reserved, issued: t.issued + a.figures.supplies.issued, returned: t.returned + a.figures.supplies.returned, shortfall: t.shortfall + a.figures.supplies.shortfall }),
    { reserved: 0, issued: 0, returned: 0, shortfall: 0 },
  );
  // Per (community, item): the service's own figure when it gives one; otherwise a reservation of one line owns its whole shortfall.
  const shortfalls = inputs.services.supplies?.shortfalls?.filter((s) => s.missing > 0).map((s) => ({ ...s, requested: requestedOf(reservations, s.communityId, s.itemCode) }));
  const derived = reservations
    .filter((r) => r.shortfall > 0)
    .map((r) => (r.lines.length === 1 ? { communityId: r.communityId, itemCode: r.lines[0]!.itemCode, requested: r.lines[0]!.quantity, missing: r.shortfall } : { communityId: r.communityId, itemCode: 'unattributed', requested: r.lines.reduce((s, l) => s + l.quantity, 0), missing: r.shortfall }));
  const list = (shortfalls ?? derived).sort((a, b) => a.communityId.localeCompare(b.communityId) || a.itemCode.localeCompare(b.itemCode));
  const items = [...new Set([...reservations.flatMap((r) => r.lines.map((l) => l.itemCode)), ...Object.keys(inputs.services.supplies?.byItem ?? {})])].sort();
  const byItem = items.map((itemCode) => {
    const s = inputs.services.supplies?.byItem?.[itemCode] ?? fromSingleLines(reservations, itemCode);
    return {
      itemCode,
      requested: reservations.reduce((sum, r) => sum + r.lines.filter((l) => l.itemCode === itemCode).reduce((x, l) => x + l.quantity, 0), 0),
      reserved: s?.reserved ?? null,
      issued: s?.issued ?? null,
      returned: s?.returned ?? null,
      shortfall: s?.shortfall ?? list.filter((x) => x.itemCode === itemCode).reduce((sum, x) => sum + x.missing, 0),
    };
  });
  return { totals, byItem, shortfalls: list, staleStock: inputs.services.supplies?.staleStock ?? [] };
}

/** Per-item figures from the workflow when every reservation of the item had that one line (else unknown). */
function fromSingleLines(reservations: ReturnType<typeof reservationFacts>, itemCode: string): ItemFigures | undefined {
  const mine = reservations.filter((r) => r.lines.some((l) => l.itemCode === itemCode));
  if (mine.length === 0 || mine.some((r) => r.lines.length !== 1)) return undefined;
  const sum = (pick: (r: (typeof mine)[number]) => number) => mine.reduce((total, r) => total + pick(r), 0);
  return { reserved: sum((r) => r.units), issued: sum((r) => r.issued), returned: sum((r) => r.returned) };
}

const requestedOf = (reservations: ReturnType<typeof reservationFacts>, communityId: string, itemCode: string) =>
  reservations.filter((r) => r.communityId === communityId).reduce((s, r) => s + r.lines.filter((l) => l.itemCode === itemCode).reduce((x, l) => x + l.quantity, 0), 0);

/** The sites each open-site step opened per community, beside the kinds its plan step asked for. */
export function siteFigures(inputs: ReportInputs): NonNullable<Report['sites']> {
  return siteFacts(inputs.executions).map((s) => {
    const at = locateStep(inputs.plan, s.stepId);
    return {
      communityId: s.communityId,
      stepId: s.stepId,
      ...(at ? { phase: at.phase } : {}),
      siteKinds: at?.step.kind === 'open-site' ? [...at.step.siteKinds] : [],
      siteIds: s.siteIds,
      ...(s.kinds ? { kinds: s.kinds } : {}),
      requested: s.requested ?? null,
      capacity: s.capacity,
      shortfall: s.shortfall,
      openedAt: s.openedAt,
      closedAt: s.closedAt ?? null,
      openAtEnd: s.openAtEnd,
    };
  });
}

/** Missed deadlines from the communities' own notes (the workflow writes one whenever a deadline rule fires). */
export function missedDeadlines(inputs: ReportInputs): Report['deadlines']['missed'] {
  const out: Report['deadlines']['missed'] = [];
  for (const [communityId, state] of finalCommunityStates(inputs.executions)) {
    for (const n of state.notes) {
      if (!/deadline|within|still sending/i.test(n.note)) continue;
      const rule = /rule: ([a-z-]+)/.exec(n.note)?.[1];
      out.push({ communityId, phase: n.phase, stepId: n.stepId, what: n.note, ...(rule ? { rule } : {}) });
    }
  }
  return out;
}

/** Build the whole after-action report from the histories, the final view, the pinned plan and the services' figures. */
export function buildReport(inputs: ReportInputs): AfterActionReport {
  const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, ...inputs.thresholds };
  const incident = inputs.executions.find((e) => isIncidentRun(e.workflowId));
  const { timeline, phases, commands, startedAt: histStart, closedAt: histClose } = incidentTimeline(incident);
  const startedAt = histStart ?? inputs.view.timeline[0]?.at ?? inputs.generatedAt;
  const closedAt = histClose ?? inputs.view.timeline.at(-1)?.at ?? inputs.generatedAt;
  const tasks = taskFacts(inputs.executions);
  const supplies = suppliesFigures(inputs);
  const warning = warningFigures(inputs, startedAt);
  const inc = inputs.services.incentives;
  const areaPoints = inputs.view.areas.reduce((s, a) => s + a.figures.incentives.points, 0);
  const areaAwards = inputs.view.areas.reduce((s, a) => s + a.figures.incentives.awards, 0);
  const taskHours = tasks.reduce((s, t) => s + (t.hours ?? 0), 0);
  const cases = inputs.services.notification?.cases;
  const notes = inputs.view.timeline.filter((t) => /noted in|failed|could not/.test(t.what)).map((t) => ({ at: t.at, kind: 'note' as const, ...(t.phase ? { phase: t.phase } : {}), what: t.what, ...(t.detail ? { detail: t.detail } : {}) }));
  const fallbacks = tasks.flatMap((task) =>
    task.fallbackAt.map((at, i) => ({ at, kind: 'escalation' as const, what: `fallback-to-backup: ${task.stepId} in ${task.communityId}`, detail: `${task.owners[i] ?? '?'} → ${task.owners[i + 1] ?? 'nobody'}` })),
  );
  const fullTimeline = [...timeline, ...notes, ...fallbacks].sort((a, b) => a.at.localeCompare(b.at));

  const communities = inputs.view.areas
    .map((a) => {
      const dispatched = tasks.filter((t) => t.communityId === a.communityId).length || a.figures.personnel.tasks;
      const residentsPerResponder = dispatched > 0 ? round(a.population / dispatched) : null;
      return {
        communityId: a.communityId,
        districtId: a.districtId,
        population: a.population,
        figures: a.figures,
        residentsPerResponder,
        resilience: resilienceOf(a, { residentsPerResponder, tasks: tasks.filter((t) => t.communityId === a.communityId), thresholds, cases }),
      };
    })
    .sort((a, b) => a.communityId.localeCompare(b.communityId));

  const base: Omit<AfterActionReport, 'findings' | 'proposals'> = {
    schemaVersion: 1,
    incidentId: inputs.incidentId,
    title: inputs.title,
    planId: inputs.plan.id,
    planVersion: inputs.plan.version,
    initialSeverity: inputs.initialSeverity,
    finalSeverity: inputs.view.severity,
    drill: inputs.drill,
    status: inputs.view.status,
    outcome: inputs.view.review?.outcome ?? (inputs.view.status === 'completed' ? 'completed' : 'stood-down'),
    startedAt,
    closedAt,
    durationSeconds: round(secondsBetween(startedAt, closedAt)),
    generatedAt: inputs.generatedAt,
    timeline: fullTimeline,
    phases,
    commands,
    warning,
    acknowledgements: acknowledgementsByRole(tasks),
    nonAcknowledging: nonAcknowledging(tasks, inputs.services.personnel?.nonAcknowledging),
    supplies,
    sites: siteFigures(inputs),
    volunteers: {
      hours: inc?.hours ?? inputs.services.personnel?.hours ?? (tasks.some((t) => t.hours !== undefined) ? taskHours : null),
      points: inc?.points ?? areaPoints,
      awards: inc?.awards ?? areaAwards,
      participants: inc?.participants ?? new Set(tasks.filter((t) => t.doneAt).map((t) => t.acknowledgedBy)).size,
      pointsByType: inc?.pointsByType ?? {},
      top: inc?.top ?? [],
    },
    needs: cases ? { opened: cases.opened, closed: cases.closed, medianTimeToCloseSeconds: cases.medianSecondsToClose ?? null, doorKnocks: inputs.services.notification?.doorKnocks ?? null } : null,
    deadlines: { missed: missedDeadlines(inputs), escalations: fullTimeline.filter((t) => t.kind === 'escalation' || (t.kind === 'command' && t.what.includes('stand-down'))) },
    honourCandidates: inputs.services.honourCandidates ?? [],
    communities,
    readiness: inputs.services.readiness ?? null,
    sources: inputs.sources,
  };
  const findings = detectFindings(base, { tasks, plan: inputs.plan, thresholds, broadcasts: broadcastFacts(inputs.executions) });
  const proposals = proposeRevisions(inputs.plan, findings, { base, tasks, thresholds, severity: inputs.initialSeverity });
  return { ...base, findings, proposals };
}
