import type { AfterActionReport } from '@lifeline/contracts';
import { barChart, escapeHtml as e, reachChart } from './charts';

export type ReportLanguage = 'zh-CN' | 'en';

const WORDS = {
  'zh-CN': {
    title: '应急处置复盘报告',
    drill: '演练',
    plan: '预案',
    severity: '响应级别',
    outcome: '结果',
    duration: '历时（秒）',
    generated: '生成时间',
    summary: '概况',
    timeline: '时间线',
    phases: '各阶段用时（秒）',
    warning: '预警与触达',
    timeToWarn: '首次预警用时（秒）',
    reach: '居民触达比例随时间变化',
    seconds: '秒',
    reached: '已送达',
    acks: '任务确认（按角色）',
    role: '角色',
    tasks: '任务',
    acknowledged: '已确认',
    rate: '确认率',
    meanDelay: '平均确认用时（秒）',
    fallbacks: '转派',
    missed: '未确认',
    nonAck: '未确认的责任人',
    supplies: '物资',
    item: '物资',
    requested: '需求',
    reservedW: '预留',
    issued: '发放',
    returned: '归还',
    shortfall: '缺口',
    stale: '过期或报废物资',
    sites: '避难与集结场所',
    step: '步骤',
    kindsAsked: '所需场所类型',
    siteList: '场所',
    places: '可容纳',
    openedAt: '开放时间',
    closedAt: '关闭时间',
    stillOpen: '结束时仍开放',
    volunteers: '志愿服务与积分',
    hours: '服务时长（小时）',
    points: '积分',
    participants: '参与人数',
    needs: '居民需求',
    opened: '提出',
    closed: '办结',
    timeToClose: '办结用时中位数（秒）',
    deadlines: '期限与升级',
    missedDeadlines: '未达成的期限',
    escalations: '升级与指令',
    honours: '表彰候选',
    communities: '社区韧性',
    community: '社区',
    population: '人口',
    perResponder: '每名责任人对应居民',
    resistance: '抵抗力',
    recovery: '恢复力',
    selfGovernance: '自治力',
    findings: '发现的问题',
    proposals: '预案修订建议',
    patch: '修改（相对于预案版本）',
    actions: '配套行动',
    none: '无',
    unknown: '未知',
    sources: '数据来源',
  },
  en: {
    title: 'After-action report',
    drill: 'Drill',
    plan: 'Plan',
    severity: 'Severity',
    outcome: 'Outcome',
    duration: 'Duration (s)',
    generated: 'Generated',
    summary: 'Summary',
    timeline: 'Timeline',
    phases: 'Time per phase (s)',
    warning: 'Warning and reach',
    timeToWarn: 'Time to warn (s)',
    reach: 'Share of residents reached over time',
    seconds: 'seconds',
    reached: 'Reached',
    acks: 'Acknowledgements by role',
    role: 'Role',
    tasks: 'Tasks',
    acknowledged: 'Acknowledged',
    rate: 'Rate',
    meanDelay: 'Mean delay (s)',
    fallbacks: 'Fallbacks',
    missed: 'Missed',
    nonAck: 'Responders who did not acknowledge',
    supplies: 'Supplies',
    item: 'Item',
    requested: 'Requested',
    reservedW: 'Reserved',
    issued: 'Issued',
    returned: 'Returned',
    shortfall: 'Shortfall',
    stale: 'Expired or condemned stock found',
    sites: 'Shelters and gathering sites',
    step: 'Step',
    kindsAsked: 'Kinds asked for',
    siteList: 'Sites',
    places: 'Places held',
    openedAt: 'Opened',
    closedAt: 'Closed',
    stillOpen: 'still open at the end',
    volunteers: 'Volunteers and points',
    hours: 'Hours',
    points: 'Points',
    participants: 'Participants',
    needs: 'Resident needs',
    opened: 'Opened',
    closed: 'Closed',
    timeToClose: 'Median time to close (s)',
    deadlines: 'Deadlines and escalations',
    missedDeadlines: 'Deadlines missed',
    escalations: 'Escalations and commands',
    honours: 'Honour candidates',
    communities: 'Community resilience',
    community: 'Community',
    population: 'Population',
    perResponder: 'Residents per responder',
    resistance: 'Resistance',
    recovery: 'Recovery',
    selfGovernance: 'Self-governance',
    findings: 'Findings',
    proposals: 'Proposed plan revisions',
    patch: 'Changes (against the plan version)',
    actions: 'Actions beside the plan',
    none: 'None',
    unknown: 'unknown',
    sources: 'Sources',
  },
} as const;

type Words = (typeof WORDS)[ReportLanguage];

const val = (v: number | null | undefined, w: Words) => (v === null || v === undefined ? w.unknown : String(v));
const table = (head: string[], rows: (string | number)[][], w: Words) =>
  rows.length === 0
    ? `<p class="none">${e(w.none)}</p>`
    : `<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${e(String(c))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
const list = (items: string[], w: Words) => (items.length ? `<ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>` : `<p class="none">${e(w.none)}</p>`);

/** One row per community and open-site step: the sites (with their kinds), places asked for and held, when open. */
function sitesTable(report: AfterActionReport, w: Words): string {
  if (!report.sites) return `<p class="none">${e(w.unknown)}</p>`;
  const sites = (s: NonNullable<AfterActionReport['sites']>[number]) => s.siteIds.map((id, i) => (s.kinds?.[i] ? `${id} (${s.kinds[i]})` : id)).join(', ');
  return table(
    [w.community, w.step, w.kindsAsked, w.siteList, w.requested, w.places, w.shortfall, w.openedAt, w.closedAt],
    report.sites.map((s) => [s.communityId, s.stepId, s.siteKinds.join(', '), sites(s), val(s.requested, w), s.capacity, s.shortfall, s.openedAt.slice(11, 19), s.closedAt ? s.closedAt.slice(11, 19) : s.openAtEnd ? w.stillOpen : w.unknown]),
    w,
  );
}

const STYLE = `
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;margin:24px auto;max-width:960px;color:#111827;line-height:1.5;padding:0 16px}
h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;border-bottom:2px solid #e5e7eb;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border:1px solid #e5e7eb;padding:4px 6px;text-align:left}th{background:#f3f4f6}
.meta{color:#4b5563;font-size:13px}.badge{display:inline-block;background:#fde68a;border-radius:4px;padding:0 6px;margin-left:8px;font-size:13px}
.finding-high{color:#b91c1c}.finding-medium{color:#b45309}.finding-low{color:#374151}.none{color:#6b7280}
.proposal{border:1px solid #d1d5db;border-radius:6px;padding:8px 12px;margin:8px 0}.proposal code{font-size:12px;background:#f3f4f6;padding:1px 4px}
svg{max-width:100%;height:auto;display:block;margin:8px 0}svg .chart-title{font-size:13px;font-weight:600}svg .axis,svg .value{font-size:11px;fill:#374151}svg .grid{stroke:#9ca3af}
`;

/** The report as one self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched). */
export function renderReportHtml(report: AfterActionReport, lang: ReportLanguage = 'zh-CN'): string {
  const w = WORDS[lang];
  const zh = lang === 'zh-CN';
  const text = (t: { zh: string; en: string }) => (zh ? t.zh : t.en);
  const acks = report.acknowledgements;
  const sections = [
    `<h1>${e(w.title)}: ${e(report.title)}${report.drill ? `<span class="badge">${e(w.drill)}</span>` : ''}</h1>`,
    `<p class="meta">${e(report.incidentId)} · ${e(w.plan)} ${e(report.planId)} v${report.planVersion} · ${e(w.severity)} ${e(report.initialSeverity)}→${e(report.finalSeverity)} · ${e(w.outcome)} ${e(report.outcome)} · ${e(w.duration)} ${report.durationSeconds} · ${e(w.generated)} ${e(report.generatedAt)}</p>`,
    `<h2 id="findings">${e(w.findings)}</h2>`,
    report.findings.length
      ? `<ul>${report.findings.map((f) => `<li class="finding-${f.severity}" data-code="${e(f.code)}">${e(text(f.message))}</li>`).join('')}</ul>`
      : `<p class="none">${e(w.none)}</p>`,
    `<h2 id="proposals">${e(w.proposals)}</h2>`,
    report.proposals.length
      ? report.proposals
          .map(
            (p) =>
              `<div class="proposal" data-id="${e(p.id)}"><strong>${e(text(p.title))}</strong><br/><span>${e(text(p.rationale))}</span><br/><small>${e(w.patch)} v${report.planVersion}:</small><ul>${p.patch
                .map((op) => `<li><code>${e(op.op)} ${e(op.path)}</code>${op.from !== undefined ? ` <del>${e(JSON.stringify(op.from))}</del>` : ''} → <code>${e(JSON.stringify(op.value))}</code></li>`)
                .join('')}</ul>${p.actions.length ? `<small>${e(w.actions)}:</small>${list(p.actions.map(text), w)}` : ''}</div>`,
          )
          .join('')
      : `<p class="none">${e(w.none)}</p>`,
    `<h2>${e(w.timeline)}</h2>`,
    barChart(w.phases, report.phases.map((p) => p.phase), [{ name: w.phases, values: report.phases.map((p) => p.seconds ?? 0) }], { unit: 's' }),
    table(['', '', ''], report.timeline.map((t) => [t.at.slice(11, 19), t.phase ?? '', `${t.what}${t.detail ? ` — ${t.detail}` : ''}`]), w),
    `<h2>${e(w.warning)}</h2>`,
    `<p>${e(w.timeToWarn)}: ${e(val(report.warning.timeToWarnSeconds, w))} · ${e(w.reached)} ${report.warning.sent}/${report.warning.total}</p>`,
    reachChart(w.reach, [{ share: 0, seconds: report.warning.timeToWarnSeconds }, ...report.warning.reach], w.seconds),
    table(['%', w.seconds], report.warning.reach.map((r) => [`${Math.round(r.share * 100)}%`, val(r.seconds, w)]), w),
    `<h2>${e(w.acks)}</h2>`,
    barChart(w.rate, acks.map((a) => a.role), [{ name: w.rate, values: acks.map((a) => a.rate ?? 0) }], { max: 1 }),
    table([w.role, w.tasks, w.acknowledged, w.rate, w.meanDelay, w.fallbacks, w.missed], acks.map((a) => [a.role, a.tasks, a.acknowledged, val(a.rate, w), val(a.meanDelaySeconds, w), a.fallbacks, a.missed]), w),
    `<h3>${e(w.nonAck)}</h3>`,
    list(report.nonAcknowledging.map((p) => `${p.personId}${p.role ? ` (${p.role})` : ''}${p.communityId ? ` · ${p.communityId}` : ''}`), w),
    `<h2>${e(w.supplies)}</h2>`,
    barChart(
      w.supplies,
      report.supplies.byItem.map((i) => i.itemCode),
      [
        { name: w.requested, values: report.supplies.byItem.map((i) => i.requested) },
        { name: w.shortfall, values: report.supplies.byItem.map((i) => i.shortfall) },
      ],
    ),
    table([w.item, w.requested, w.reservedW, w.issued, w.returned, w.shortfall], report.supplies.byItem.map((i) => [i.itemCode, i.requested, val(i.reserved, w), val(i.issued, w), val(i.returned, w), i.shortfall]), w),
    table([w.community, w.item, w.requested, w.shortfall], report.supplies.shortfalls.map((s) => [s.communityId, s.itemCode, s.requested, s.missing]), w),
    `<h3>${e(w.stale)}</h3>`,
    list(report.supplies.staleStock.map((s) => `${s.itemCode} × ${s.quantity} ${s.depotId ?? ''} ${s.reason}`), w),
    `<h2 id="sites">${e(w.sites)}</h2>`,
    sitesTable(report, w),
    `<h2>${e(w.volunteers)}</h2>`,
    `<p>${e(w.hours)}: ${e(val(report.volunteers.hours, w))} · ${e(w.points)}: ${report.volunteers.points} · ${e(w.participants)}: ${report.volunteers.participants}</p>`,
    `<h2>${e(w.needs)}</h2>`,
    report.needs ? `<p>${e(w.opened)} ${report.needs.opened} · ${e(w.closed)} ${report.needs.closed} · ${e(w.timeToClose)} ${e(val(report.needs.medianTimeToCloseSeconds, w))}</p>` : `<p class="none">${e(w.unknown)}</p>`,
    `<h2>${e(w.deadlines)}</h2>`,
    `<h3>${e(w.missedDeadlines)}</h3>`,
    list(report.deadlines.missed.map((d) => `${d.communityId ?? ''} ${d.stepId}: ${d.what}`), w),
    `<h3>${e(w.escalations)}</h3>`,
    list(report.deadlines.escalations.map((x) => `${x.at.slice(11, 19)} ${x.what}${x.detail ? ` — ${x.detail}` : ''}`), w),
    `<h2>${e(w.honours)}</h2>`,
    list(report.honourCandidates.map((h) => `${h.participantId}${h.honour ? ` · ${h.honour}` : ''}${h.points !== undefined ? ` · ${h.points}` : ''}`), w),
    `<h2>${e(w.communities)}</h2>`,
    barChart(
      w.communities,
      report.communities.map((c) => c.communityId),
      [
        { name: w.resistance, values: report.communities.map((c) => c.resilience.resistance) },
        { name: w.recovery, values: report.communities.map((c) => c.resilience.recovery) },
        { name: w.selfGovernance, values: report.communities.map((c) => c.resilience.selfGovernance) },
      ],
      { max: 1 },
    ),
    table(
      [w.community, w.population, w.perResponder, w.resistance, w.recovery, w.selfGovernance],
      report.communities.map((c) => [c.communityId, c.population, val(c.residentsPerResponder, w), c.resilience.resistance, c.resilience.recovery, c.resilience.selfGovernance]),
      w,
    ),
    `<h2>${e(w.sources)}</h2>`,
    list(Object.entries(report.sources).map(([k, s]) => `${k}: ${s.ok ? 'ok' : 'missing'}${s.note ? ` (${s.note})` : ''}`), w),
  ];
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>${e(w.title)} · ${e(report.title)}</title><style>${STYLE}</style></head><body>${sections.join('\n')}</body></html>`;
}
