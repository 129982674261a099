import type { AfterActionReport, PlanDocument, PlanPatchOperation, PlanProposal, PlanStep, ReviewFinding, Severity, StepOf } from '@lifeline/contracts';
import type { TaskFacts } from './history';
import type { Thresholds } from './inputs';

type Base = Omit<AfterActionReport, 'findings' | 'proposals'>;
type PhaseName = keyof PlanDocument['phases'];

export interface ProposalContext {
  base: Base;
  tasks: readonly TaskFacts[];
  thresholds: Thresholds;
  severity: Severity;
}

/** Where a step sits in the plan (phase and index), for JSON Pointer paths. */
export function locateStep(plan: PlanDocument, stepId: string): { phase: PhaseName; index: number; step: PlanStep } | undefined {
  for (const phase of Object.keys(plan.phases) as PhaseName[]) {
    const index = plan.phases[phase].findIndex((s) => s.id === stepId);
    if (index >= 0) return { phase, index, step: plan.phases[phase][index]! };
  }
  return undefined;
}

/** Who stands in when a role does not answer: the next level of the community's own organisation. */
export const BACKUP_ROLE: Record<string, StepOf<'dispatch'>['role']> = {
  'grid-worker': 'community-staff',
  'building-leader': 'party-member',
  volunteer: 'party-member',
  'party-member': 'community-staff',
  'community-staff': 'party-member',
};

const CHANNEL_PREFERENCE = ['app-push', 'sms', 'loudspeaker', 'group-chat', 'door-knock'] as const;

const unusedId = (plan: PlanDocument, wanted: string) => {
  const taken = new Set(Object.values(plan.phases).flatMap((steps) => steps.map((s) => s.id)));
  if (!taken.has(wanted)) return wanted;
  for (let n = 2; ; n++) if (!taken.has(`${wanted}-${n}`)) return `${wanted}-${n}`;
};

/** Raise the per-community stock target (the reserve line's minimum) for each item a community was short of. */
export function raiseStockTargets(plan: PlanDocument, findings: readonly ReviewFinding[], ctx: ProposalContext): PlanProposal[] {
  const byItem = new Map<string, ReviewFinding[]>();
  for (const f of findings) if (f.code === 'supplies-shortfall' && f.itemCode && f.stepId) byItem.set(f.itemCode, [...(byItem.get(f.itemCode) ?? []), f]);
  const out: PlanProposal[] = [];
  for (const [itemCode, group] of byItem) {
    const at = locateStep(plan, group[0]!.stepId!);
    if (!at || at.step.kind !== 'reserve') continue;
    const lineIndex = at.step.items.findIndex((i) => i.itemCode === itemCode);
    const line = at.step.items[lineIndex];
    if (!line) continue;
    const shortfalls = ctx.base.supplies.shortfalls.filter((s) => s.itemCode === itemCode);
    const needed = Math.max(...shortfalls.map((s) => s.requested));
    const target = Math.max(line.minimum + 1, Math.ceil(needed * ctx.thresholds.stockTargetMargin));
    out.push({
      id: `raise-stock-target:${itemCode}`,
      kind: 'raise-stock-target',
      findingIds: group.map((f) => f.id),
      title: { zh: `将 ${itemCode} 的社区储备目标提高到 ${target}`, en: `Raise the community stock target for ${itemCode} to ${target}` },
      rationale: {
        zh: `本次需要 ${needed}，缺 ${shortfalls.reduce((s, x) => s + x.missing, 0)}；目标留出 ${Math.round((ctx.thresholds.stockTargetMargin - 1) * 100)}% 余量`,
        en: `This incident needed ${needed} and was short by ${shortfalls.reduce((s, x) => s + x.missing, 0)}; the target keeps ${Math.round((ctx.thresholds.stockTargetMargin - 1) * 100)}% head-room`,
      },
      patch: [{ op: 'replace', path: `/phases/${at.phase}/${at.index}/items/${lineIndex}/minimum`, from: line.minimum, value: target }],
      actions: shortfalls.map((s) => {
        const quantity = Math.max(0, target - (s.requested - s.missing));
        return {
          zh: `为社区 ${s.communityId} 的储备库补充 ${itemCode} ${quantity} 件，达到新目标`,
          en: `Procure ${quantity} × ${itemCode} for the depots serving ${s.communityId} to meet the new target`,
          procure: { communityId: s.communityId, itemCode, quantity },
        };
      }),
    });
  }
  return out;
}

/** A task nobody acknowledged: turn on fallback to backups, or add a dispatch of a backup role after it. */
export function addBackups(plan: PlanDocument, findings: readonly ReviewFinding[]): PlanProposal[] {
  const byStep = new Map<string, ReviewFinding[]>();
  for (const f of findings) if (f.code === 'missed-acknowledgement' && f.stepId) byStep.set(f.stepId, [...(byStep.get(f.stepId) ?? []), f]);
  const out: PlanProposal[] = [];
  for (const [stepId, group] of byStep) {
    const at = locateStep(plan, stepId);
    if (!at || at.step.kind !== 'dispatch') continue;
    const step = at.step;
    const path = `/phases/${at.phase}/${at.index}`;
    const patch: PlanPatchOperation[] = [];
    if (step.onDeadline !== 'fallback-to-backup') patch.push({ op: 'replace', path: `${path}/onDeadline`, from: step.onDeadline, value: 'fallback-to-backup' });
    if (step.maxFallbacks < 2) patch.push({ op: 'replace', path: `${path}/maxFallbacks`, from: step.maxFallbacks, value: 2 });
    const backupRole = BACKUP_ROLE[step.role] ?? 'community-staff';
    if (patch.length === 0) {
      const backup: StepOf<'dispatch'> = {
        ...step,
        id: unusedId(plan, `${step.id}-backup`),
        role: backupRole,
        title: { zh: `${step.title.zh}（备岗）`, en: `${step.title.en} (backup)` },
      };
      delete (backup as { skill?: string }).skill;
      patch.push({ op: 'add', path: `/phases/${at.phase}/${at.index + 1}`, value: backup });
    }
    out.push({
      id: `add-backup-role:${stepId}`,
      kind: 'add-backup-role',
      findingIds: group.map((f) => f.id),
      title: { zh: `为任务 ${stepId} 设置备岗`, en: `Give ${stepId} a backup` },
      rationale: {
        zh: patch[0]?.op === 'add' ? `转派已用尽仍无人确认；增加 ${backupRole} 备岗任务` : '无人确认时应自动转派给下一名人员（至少两次）',
        en: patch[0]?.op === 'add' ? `Fallbacks were exhausted with nobody acknowledging; dispatch a ${backupRole} as backup` : 'When nobody acknowledges, the task should move to the next person (at least twice)',
      },
      patch,
      actions: [],
    });
  }
  return out;
}

/** Residents per responder above the limit: add deputy dispatches (building leaders) after the plan's last dispatch. */
export function splitSpans(plan: PlanDocument, findings: readonly ReviewFinding[], ctx: ProposalContext): PlanProposal[] {
  const wide = findings.filter((f) => f.code === 'span-too-wide');
  if (wide.length === 0) return [];
  let extra = 0;
  for (const f of wide) {
    const community = ctx.base.communities.find((c) => c.communityId === f.communityId);
    if (!community || !community.residentsPerResponder) continue;
    const current = Math.round(community.population / community.residentsPerResponder);
    extra = Math.max(extra, Math.ceil(community.population / ctx.thresholds.maxResidentsPerResponder) - current);
  }
  if (extra <= 0) return [];
  const dispatches = (Object.keys(plan.phases) as PhaseName[]).flatMap((phase) => plan.phases[phase].map((s, index) => ({ phase, index, s })).filter((x) => x.s.kind === 'dispatch'));
  const anchor = dispatches.at(-1);
  const phase: PhaseName = anchor?.phase ?? 'mobilize';
  const insertAt = anchor ? anchor.index + 1 : plan.phases.mobilize.length;
  const template = anchor?.s.kind === 'dispatch' ? anchor.s : undefined;
  const patch: PlanPatchOperation[] = [];
  const ids: string[] = [];
  for (let n = 1; n <= extra; n++) {
    let id = unusedId(plan, `span-deputy-${n}`);
    while (ids.includes(id)) id = `${id}-b`;
    ids.push(id);
    const step: StepOf<'dispatch'> = {
      id,
      kind: 'dispatch',
      title: { zh: `楼栋长协助网格员（分担责任范围 ${n}）`, en: `Building leader deputises for the grid worker (span share ${n})` },
      role: 'building-leader',
      task: { zh: '协助网格员联系本楼栋居民，报告需求', en: 'Help the grid worker reach the residents of your building; report their needs' },
      ackDeadlineSeconds: template?.ackDeadlineSeconds ?? 120,
      maxFallbacks: 2,
      completionDeadlineSeconds: template?.completionDeadlineSeconds ?? 3600,
      onDeadline: 'fallback-to-backup',
    };
    // Every insert names the pinned index; applyProposals keeps their order.
    patch.push({ op: 'add', path: `/phases/${phase}/${insertAt}`, value: step });
  }
  const worst = Math.max(...wide.map((f) => f.measured ?? 0));
  return [
    {
      id: 'split-span-of-control',
      kind: 'split-span-of-control',
      findingIds: wide.map((f) => f.id),
      title: { zh: `增加 ${extra} 名楼栋长分担网格责任`, en: `Split the span of control: add ${extra} building-leader deputy task(s)` },
      rationale: {
        zh: `每名责任人最多对应 ${worst} 名居民，上限 ${ctx.thresholds.maxResidentsPerResponder}`,
        en: `Up to ${worst} residents per responder, above the limit of ${ctx.thresholds.maxResidentsPerResponder}`,
      },
      patch,
      actions: [],
    },
  ];
}

/** A fallback came late because the acknowledgement deadline is long: halve it (not below 60 s). */
export function shortenDeadlines(plan: PlanDocument, findings: readonly ReviewFinding[], ctx: ProposalContext): PlanProposal[] {
  const out: PlanProposal[] = [];
  const byStep = new Map<string, ReviewFinding[]>();
  for (const f of findings) if ((f.code === 'slow-acknowledgement' || f.code === 'missed-acknowledgement') && f.stepId) byStep.set(f.stepId, [...(byStep.get(f.stepId) ?? []), f]);
  for (const [stepId, group] of byStep) {
    const at = locateStep(plan, stepId);
    if (!at || at.step.kind !== 'dispatch' || at.step.ackDeadlineSeconds <= ctx.thresholds.maxAckDeadlineSeconds) continue;
    const to = Math.max(60, Math.ceil(at.step.ackDeadlineSeconds / 2));
    out.push({
      id: `shorten-deadline:${stepId}`,
      kind: 'shorten-deadline',
      findingIds: group.map((f) => f.id),
      title: { zh: `将 ${stepId} 的确认期限缩短到 ${to} 秒`, en: `Shorten the acknowledgement deadline of ${stepId} to ${to} s` },
      rationale: { zh: `原期限 ${at.step.ackDeadlineSeconds} 秒使转派过晚`, en: `A ${at.step.ackDeadlineSeconds} s deadline let the fallback come too late` },
      patch: [{ op: 'replace', path: `/phases/${at.phase}/${at.index}/ackDeadlineSeconds`, from: at.step.ackDeadlineSeconds, value: to }],
      actions: [],
    });
  }
  return out;
}

/** Residents a notify step did not reach: add the next channel it does not use yet (door-knock first for vulnerable groups). */
export function addChannels(plan: PlanDocument, findings: readonly ReviewFinding[]): PlanProposal[] {
  const out: PlanProposal[] = [];
  const byStep = new Map<string, ReviewFinding[]>();
  for (const f of findings) if (f.code === 'unreached-residents' && f.stepId) byStep.set(f.stepId, [...(byStep.get(f.stepId) ?? []), f]);
  for (const [stepId, group] of byStep) {
    const at = locateStep(plan, stepId);
    if (!at || at.step.kind !== 'notify') continue;
    const step = at.step;
    const preference = step.audience.groups.includes('vulnerable') ? (['door-knock', ...CHANNEL_PREFERENCE] as const) : CHANNEL_PREFERENCE;
    const channel = preference.find((c) => !step.channels.includes(c));
    if (!channel) continue;
    const group0 = step.audience.groups.join('+');
    out.push({
      id: `add-channel:${stepId}`,
      kind: 'add-channel',
      findingIds: group.map((f) => f.id),
      title: { zh: `为 ${stepId}（${group0}）增加渠道 ${channel}`, en: `Add ${channel} to ${stepId} for ${group0}` },
      rationale: { zh: `${group.reduce((s, f) => s + (f.measured ?? 0), 0)} 名居民未送达`, en: `${group.reduce((s, f) => s + (f.measured ?? 0), 0)} resident(s) were not reached` },
      patch: [{ op: 'add', path: `/phases/${at.phase}/${at.index}/channels/-`, value: channel }],
      actions: [],
    });
  }
  return out;
}

/** Every rule, in a stable order: stock, backups, spans, deadlines, channels. */
export function proposeRevisions(plan: PlanDocument, findings: readonly ReviewFinding[], ctx: ProposalContext): PlanProposal[] {
  return [...raiseStockTargets(plan, findings, ctx), ...addBackups(plan, findings), ...splitSpans(plan, findings, ctx), ...shortenDeadlines(plan, findings, ctx), ...addChannels(plan, findings)];
}

/** The per-community stock targets accepted `raise-stock-target` proposals set (the supplies service keeps them). */
export function stockTargetsOf(proposals: readonly PlanProposal[]): { communityId: string; itemCode: string; quantity: number }[] {
  return proposals
    .filter((p) => p.kind === 'raise-stock-target')
    .flatMap((p) => {
      const target = p.patch[0]?.value;
      if (typeof target !== 'number') return [];
      return p.actions.flatMap((a) => (a.procure ? [{ communityId: a.procure.communityId, itemCode: a.procure.itemCode, quantity: target }] : []));
    });
}
