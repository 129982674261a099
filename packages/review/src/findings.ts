import type { AfterActionReport, PlanDocument, ReviewFinding } from '@lifeline/contracts';
import { secondsBetween, type BroadcastFacts, type TaskFacts } from './history';
import type { Thresholds } from './inputs';

export interface FindingContext {
  tasks: readonly TaskFacts[];
  plan: PlanDocument;
  thresholds: Thresholds;
  broadcasts: readonly BroadcastFacts[];
}

type Base = Omit<AfterActionReport, 'findings' | 'proposals'>;

/** The plan step (phase and id) of a reserve line for an item, if the plan has one. */
export function reserveStepFor(plan: PlanDocument, itemCode: string): { phase: keyof PlanDocument['phases']; stepId: string } | undefined {
  for (const phase of Object.keys(plan.phases) as (keyof PlanDocument['phases'])[]) {
    for (const step of plan.phases[phase]) if (step.kind === 'reserve' && step.action === 'reserve' && step.items.some((i) => i.itemCode === itemCode)) return { phase, stepId: step.id };
  }
  return undefined;
}

const groupBy = <T>(xs: readonly T[], key: (x: T) => string) => {
  const out = new Map<string, T[]>();
  for (const x of xs) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return out;
};

/** Every weakness the figures show, in a stable order, each with what was measured against which threshold. */
export function detectFindings(report: Base, ctx: FindingContext): ReviewFinding[] {
  const { thresholds: t } = ctx;
  const findings: ReviewFinding[] = [];

  for (const s of report.supplies.shortfalls) {
    const step = reserveStepFor(ctx.plan, s.itemCode);
    findings.push({
      id: `supplies-shortfall:${s.communityId}:${s.itemCode}`,
      code: 'supplies-shortfall',
      severity: 'high',
      communityId: s.communityId,
      ...(step ? { phase: step.phase, stepId: step.stepId } : {}),
      itemCode: s.itemCode,
      measured: s.missing,
      threshold: 0,
      message: {
        zh: `社区 ${s.communityId} 的储备库缺少 ${s.itemCode}：需要 ${s.requested}，缺 ${s.missing}`,
        en: `The depots serving ${s.communityId} were short of ${s.itemCode}: ${s.missing} of ${s.requested} missing`,
      },
    });
  }

  for (const s of report.sites ?? []) {
    const common = { communityId: s.communityId, ...(s.phase ? { phase: s.phase } : {}), stepId: s.stepId };
    if (s.shortfall > 0) {
      findings.push({
        id: `sites-shortfall:${s.communityId}:${s.stepId}`,
        code: 'sites-shortfall',
        severity: 'high',
        ...common,
        measured: s.shortfall,
        threshold: 0,
        message: {
          zh: `社区 ${s.communityId} 的 ${s.stepId} 开放的场所容纳不足：需要 ${s.requested ?? s.capacity + s.shortfall} 人，仅能容纳 ${s.capacity} 人，缺 ${s.shortfall}`,
          en: `The sites ${s.stepId} opened in ${s.communityId} held ${s.capacity} of ${s.requested ?? s.capacity + s.shortfall} places asked for: ${s.shortfall} short`,
        },
      });
    }
    if (s.openAtEnd && s.siteIds.length > 0) {
      findings.push({
        id: `sites-left-open:${s.communityId}:${s.stepId}`,
        code: 'sites-left-open',
        severity: 'medium',
        ...common,
        measured: s.siteIds.length,
        threshold: 0,
        message: {
          zh: `社区 ${s.communityId} 由 ${s.stepId} 开放的 ${s.siteIds.length} 个场所在事件结束时仍未关闭（${s.siteIds.join('、')}）`,
          en: `${s.siteIds.length} site(s) ${s.stepId} opened in ${s.communityId} were still open when the incident closed (${s.siteIds.join(', ')})`,
        },
      });
    }
  }

  for (const s of report.supplies.staleStock) {
    findings.push({
      id: `stale-stock:${s.depotId ?? '-'}:${s.itemCode}:${s.lotId ?? '-'}`,
      code: 'stale-stock',
      severity: 'medium',
      itemCode: s.itemCode,
      measured: s.quantity,
      threshold: 0,
      message: { zh: `发现过期或报废物资：${s.itemCode} ${s.quantity} 件（${s.reason}）`, en: `Expired or condemned stock found: ${s.quantity} × ${s.itemCode} (${s.reason})` },
    });
  }

  for (const [key, group] of groupBy(ctx.tasks, (x) => `${x.communityId}:${x.stepId}`)) {
    const [first] = group;
    if (!first) continue;
    const missed = group.filter((x) => !x.acknowledgedAt);
    const slow = group.filter((x) => x.acknowledgedAt && (x.fallbacks > 0 || secondsBetween(x.assignedAt, x.acknowledgedAt) > t.maxAckSeconds));
    const common = { communityId: first.communityId, stepId: first.stepId, role: first.role };
    if (missed.length) {
      findings.push({
        id: `missed-acknowledgement:${key}`,
        code: 'missed-acknowledgement',
        severity: 'high',
        ...common,
        personIds: [...new Set(missed.flatMap((x) => x.owners))].sort(),
        measured: missed.length,
        threshold: 0,
        message: {
          zh: `社区 ${first.communityId} 的任务 ${first.stepId}（${first.role}）无人确认，经过 ${missed[0]!.fallbacks} 次转派`,
          en: `Nobody acknowledged ${first.stepId} (${first.role}) in ${first.communityId} after ${missed[0]!.fallbacks} fallback(s)`,
        },
      });
    }
    if (slow.length) {
      const worst = Math.max(...slow.map((x) => secondsBetween(x.assignedAt, x.acknowledgedAt!)));
      findings.push({
        id: `slow-acknowledgement:${key}`,
        code: 'slow-acknowledgement',
        severity: 'low',
        ...common,
        personIds: [...new Set(slow.flatMap((x) => x.owners.filter((o) => o !== x.acknowledgedBy)))].sort(),
        measured: Math.round(worst),
        threshold: t.maxAckSeconds,
        message: {
          zh: `社区 ${first.communityId} 的任务 ${first.stepId} 由备岗人员确认（${Math.round(worst)} 秒）`,
          en: `${first.stepId} in ${first.communityId} was acknowledged only after a fallback or late (${Math.round(worst)} s)`,
        },
      });
    }
  }

  for (const c of report.communities) {
    if (c.residentsPerResponder === null || c.residentsPerResponder <= t.maxResidentsPerResponder) continue;
    const grids = (report.readiness?.grids ?? []).filter((g) => g.tooWide && (g.communityId === undefined || g.communityId === c.communityId)).map((g) => g.gridId);
    findings.push({
      id: `span-too-wide:${c.communityId}`,
      code: 'span-too-wide',
      severity: 'medium',
      communityId: c.communityId,
      ...(grids.length ? { gridIds: grids.sort() } : {}),
      measured: c.residentsPerResponder,
      threshold: t.maxResidentsPerResponder,
      message: {
        zh: `社区 ${c.communityId} 每名责任人对应 ${c.residentsPerResponder} 名居民，超过 ${t.maxResidentsPerResponder}${grids.length ? `（网格 ${grids.join('、')}）` : ''}`,
        en: `${c.residentsPerResponder} residents per responder in ${c.communityId}, above ${t.maxResidentsPerResponder}${grids.length ? ` (grids ${grids.join(', ')})` : ''}`,
      },
    });
  }

  const toWarn = report.warning.timeToWarnSeconds;
  if (toWarn !== null && toWarn > t.maxSecondsToWarn) {
    findings.push({
      id: 'slow-warning',
      code: 'slow-warning',
      severity: 'medium',
      measured: toWarn,
      threshold: t.maxSecondsToWarn,
      message: { zh: `首次预警用时 ${toWarn} 秒，超过 ${t.maxSecondsToWarn} 秒`, en: `The first warning took ${toWarn} s, above ${t.maxSecondsToWarn} s` },
    });
  }

  for (const b of ctx.broadcasts) {
    // A broadcast nobody waited for (the all-clear of a stand-down) has no outcome in the history: not a finding.
    if (b.sent >= b.total || (!b.awaited && !b.completed)) continue;
    findings.push({
      id: `unreached-residents:${b.communityId}:${b.stepId}`,
      code: 'unreached-residents',
      severity: 'medium',
      communityId: b.communityId,
      stepId: b.stepId,
      measured: b.total - b.sent,
      threshold: 0,
      message: { zh: `社区 ${b.communityId} 的通知 ${b.stepId} 有 ${b.total - b.sent} 名居民未送达`, en: `${b.total - b.sent} resident(s) in ${b.communityId} not reached by ${b.stepId}` },
    });
  }

  for (const d of report.deadlines.missed) {
    if (/missed acknowledgement/.test(d.what)) continue; // already a missed-acknowledgement finding
    findings.push({
      id: `deadline-missed:${d.communityId ?? '-'}:${d.stepId}`,
      code: 'deadline-missed',
      severity: 'low',
      ...(d.communityId ? { communityId: d.communityId } : {}),
      stepId: d.stepId,
      measured: null,
      threshold: null,
      message: { zh: `期限未达成：${d.stepId}（${d.what}）`, en: `Deadline missed: ${d.stepId} (${d.what})` },
    });
  }

  const seen = new Set<string>();
  return findings.filter((f) => (seen.has(f.id) ? false : (seen.add(f.id), true)));
}
