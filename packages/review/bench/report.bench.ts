/**
 * How long the pure part of the review takes for a large incident: histories of N communities (four phase runs
 * each, with a broadcast, a reservation and a dispatch) → report (findings, proposals) → HTML.
 * Run: node --import tsx packages/review/bench/report.bench.ts [communities=200] [rounds=5]
 */
import { performance } from 'node:perf_hooks';
import { PlanDocument, type IncidentView } from '@lifeline/contracts';
import { buildReport, renderReportHtml, type Execution, type HistoryEvent } from '../src';

const communities = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

const plan = PlanDocument.parse({
  id: 'bench',
  version: 1,
  title: { zh: '基准', en: 'Bench' },
  kind: 'comprehensive',
  hazard: 'flood',
  severityScaling: { I: 2, II: 1.5, III: 1.2, IV: 1 },
  phases: {
    warn: [{ id: 'warn', kind: 'notify', title: { zh: '预警', en: 'Warn' }, audience: { groups: ['everyone'] }, channels: ['sms'], message: { zh: '注意', en: 'Attention' } }],
    mobilize: [
      { id: 'reserve', kind: 'reserve', title: { zh: '预留', en: 'Reserve' }, items: [{ itemCode: 'tent', perThousandResidents: 5 }] },
      { id: 'dispatch', kind: 'dispatch', title: { zh: '指派', en: 'Dispatch' }, role: 'grid-worker', task: { zh: '核查', en: 'Check' }, ackDeadlineSeconds: 120 },
    ],
  },
});

function histories(): { executions: Execution[]; view: IncidentView } {
  const incident: HistoryEvent[] = [{ type: 'started', at: at(0), input: {} }, ...['warn', 'mobilize', 'respond', 'recover', 'review', 'closed'].map((p, i) => ({ type: 'search-attributes' as const, at: at(i * 60), values: { LifelinePhase: [p] } })), { type: 'completed', at: at(400), result: {} }];
  const executions: Execution[] = [{ workflowId: 'incident-bench', runId: 'r', events: incident }];
  const areas: IncidentView['areas'] = [];
  for (let c = 0; c < communities; c++) {
    const wf = `incident-bench/community-c${c}`;
    const short = c % 7 === 0 ? 2 : 0;
    const acked = c % 5 !== 0;
    executions.push(
      { workflowId: wf, runId: 'w', events: [
        { type: 'activity-scheduled', at: at(2), scheduledId: '5', activityType: 'broadcast', input: { stepId: 'warn', channels: ['sms'], audience: { groups: ['everyone'] } } },
        { type: 'activity-completed', at: at(3), scheduledId: '5', result: { jobId: `j${c}`, total: 800, sent: 800, failed: 0, completed: true } },
        { type: 'completed', at: at(50), result: { notes: [] } },
      ] },
      { workflowId: wf, runId: 'm', events: [
        { type: 'activity-scheduled', at: at(61), scheduledId: '5', activityType: 'reserveSupplies', input: { idempotencyKey: `${wf}:reserve`, lines: [{ itemCode: 'tent', quantity: 4 }] } },
        { type: 'activity-completed', at: at(62), scheduledId: '5', result: { reservationId: `r${c}`, units: 4 - short, shortfall: short } },
        { type: 'activity-scheduled', at: at(63), scheduledId: '9', activityType: 'dispatchResponder', input: { stepId: 'dispatch', role: 'grid-worker' } },
        { type: 'activity-completed', at: at(63), scheduledId: '9', result: { taskId: `t${c}`, ownerId: `p${c}` } },
        ...(acked ? [{ type: 'signal' as const, at: at(70), name: 'taskProgress', input: { taskId: `t${c}`, status: 'done', ownerId: `p${c}`, hours: 2 } }] : []),
        { type: 'completed', at: at(110), result: { notes: acked ? [] : [{ phase: 'mobilize', stepId: 'dispatch', note: 'missed acknowledgement: nobody acknowledged within 120s' }] } },
      ] },
      { workflowId: wf, runId: 'r', events: [{ type: 'completed', at: at(170), result: {} }] },
      { workflowId: wf, runId: 'v', events: [{ type: 'completed', at: at(230), result: {} }] },
    );
    areas.push({ districtId: `d${c % 25}`, communityId: `c${c}`, population: 800, figures: { notification: { jobs: 1, total: 800, sent: 800 }, supplies: { reserved: 4 - short, issued: 4 - short, returned: 4 - short, shortfall: short }, personnel: { tasks: 1, acknowledged: acked ? 1 : 0, done: acked ? 1 : 0, fallbacks: 0, missed: acked ? 0 : 1 }, incentives: { awards: 1, points: 20 } } });
  }
  const view: IncidentView = { incidentId: 'bench', title: 'Bench', planId: 'bench', planVersion: 1, severity: 'IV', drill: true, phase: 'closed', status: 'completed', areas, timeline: [] };
  return { executions, view };
}

const { executions, view } = histories();
const build: number[] = [];
const html: number[] = [];
let size = 0;
let findings = 0;
for (let i = 0; i < rounds; i++) {
  const t0 = performance.now();
  const report = buildReport({ incidentId: 'bench', title: 'Bench', drill: true, initialSeverity: 'IV', plan, executions, view, services: {}, sources: {}, generatedAt: at(500) });
  const t1 = performance.now();
  size = renderReportHtml(report, 'zh-CN').length;
  html.push(performance.now() - t1);
  build.push(t1 - t0);
  findings = report.findings.length;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
console.log(`communities=${communities} executions=${executions.length} events=${executions.reduce((s, e) => s + e.events.length, 0)} findings=${findings}`);
console.log(`buildReport median ${median(build)} ms · renderReportHtml median ${median(html)} ms · html ${(size / 1024).toFixed(0)} KiB (${rounds} rounds)`);
