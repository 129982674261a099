import { PHASES, type notificationContract, type personnelContract, type PlanDocument, type Severity, type StepOf, type suppliesContract } from '@lifeline/contracts';
import type { PlanPreview } from '@lifeline/contracts/http/plan-preview';
import { appliesAt, reserveQuantities, sitePlaces, splitPhase } from '@lifeline/workflows';
import type { z } from 'zod';

type Community = personnelContract.ResolvedArea['districts'][number]['communities'][number] & { districtId: string };
type Audience = z.input<typeof notificationContract.PredictRequest>;
type Prediction = notificationContract.Preview['predictions'][number];

/** One notify step of the plan as it would run at the severity. */
interface NotifyDemand {
  phase: (typeof PHASES)[number];
  step: StepOf<'notify'>;
}

/** What the plan's steps would ask of the services for every community of the area: the requests of a dry run. */
export interface PlanDemand {
  steps: PlanPreview['steps'];
  communities: Community[];
  notify: NotifyDemand[];
  dispatches: { phase: (typeof PHASES)[number]; step: StepOf<'dispatch'> }[];
  /** Audiences to predict: each community's whole registry first (residents and vulnerable), then each notify step's. */
  audiences: Audience[];
  supplies: z.input<typeof suppliesContract.PreviewRequest>;
  personnel: z.input<typeof personnelContract.PreviewRequest> | undefined;
}

/** Every community of a resolved area once, in area order (as the incident resolves its area). */
export function communitiesOf(area: personnelContract.ResolvedArea): Community[] {
  const seen = new Set<string>();
  return area.districts.flatMap((d) => d.communities.filter((c) => !seen.has(c.communityId) && seen.add(c.communityId)).map((c) => ({ ...c, districtId: d.districtId })));
}

/**
 * The plan's steps as the interpreter takes them — phase by phase, segment by segment (`splitPhase`), community steps
 * only where they apply at the severity (`appliesAt`) — and what each would ask for per community: reserve lines
 * scaled by population and severity (`reserveQuantities`), site places (`sitePlaces`), one task per dispatch step,
 * one broadcast per notify step. The same functions the workflow runs, so the figures are the workflow's.
 */
export function planDemand(plan: PlanDocument, severity: Severity, area: personnelContract.ResolvedArea): PlanDemand {
  const communities = communitiesOf(area);
  const steps: PlanPreview['steps'] = [];
  const notify: PlanDemand['notify'] = [];
  const dispatches: PlanDemand['dispatches'] = [];
  const supplies: PlanDemand['supplies'] = { reservations: [], sites: [] };
  for (const phase of PHASES) {
    for (const segment of splitPhase(plan.phases[phase])) {
      const members = segment.scope === 'communities' ? segment.steps : [segment.step];
      for (const step of members) {
        const applies = appliesAt(step, severity);
        steps.push({ phase, stepId: step.id, kind: step.kind, runs: segment.scope, applies });
        if (!applies || segment.scope !== 'communities') continue;
        if (step.kind === 'notify') notify.push({ phase, step });
        if (step.kind === 'dispatch') dispatches.push({ phase, step });
        if (step.kind === 'reserve' && step.action === 'reserve') {
          for (const c of communities) {
            const lines = reserveQuantities(step.items, c.population, severity, plan.severityScaling);
            if (lines.length > 0) supplies.reservations!.push({ communityId: c.communityId, stepId: step.id, lines });
          }
        }
        if (step.kind === 'open-site') {
          for (const c of communities) supplies.sites!.push({ communityId: c.communityId, stepId: step.id, siteKinds: step.siteKinds, capacity: sitePlaces(c.population, step.capacityShare) });
        }
      }
    }
  }
  const audiences: Audience[] = [
    ...communities.map((c) => ({ communityId: c.communityId, audience: { groups: ['everyone' as const] }, channels: ['sms' as const] })),
    ...notify.flatMap(({ step }) => communities.map((c) => ({ communityId: c.communityId, audience: step.audience, channels: step.channels }))),
  ];
  const needs = dispatches.flatMap(({ step }) => communities.map((c) => ({ communityId: c.communityId, stepId: step.id, role: step.role, ...(step.skill ? { skill: step.skill } : {}) })));
  return { steps, communities, notify, dispatches, audiences, supplies, personnel: needs.length > 0 ? { needs } : undefined };
}

/** What the services answered to the demand's requests. */
export interface PreviewAnswers {
  predictions: Prediction[];
  supplies: suppliesContract.Preview;
  personnel: personnelContract.Preview | undefined;
  readiness: personnelContract.ReadinessReport;
}

const add = <K extends string>(into: Partial<Record<K, number>>, key: K, n: number) => void (into[key] = (into[key] ?? 0) + n);

/** The preview from the demand and the services' answers: pure, so the figures can be checked without a stack. */
export function assemblePreview(plan: PlanDocument, severity: Severity, demand: PlanDemand, answers: PreviewAnswers): PlanPreview {
  const { communities } = demand;
  const registry = answers.predictions.slice(0, communities.length);
  const perStep = answers.predictions.slice(communities.length);
  const rows = communities.map((c, i) => ({
    districtId: c.districtId,
    ...(c.subDistrictId ? { subDistrictId: c.subDistrictId } : {}),
    communityId: c.communityId,
    population: c.population,
    residents: registry[i]?.recipients ?? 0,
    vulnerable: registry[i]?.vulnerable ?? 0,
  }));
  const sum = (list: readonly { [k: string]: unknown }[], key: 'population' | 'residents' | 'vulnerable') => list.reduce((n, r) => n + (r[key] as number), 0);
  const districts = [...new Set(rows.map((r) => r.districtId))].map((districtId) => {
    const inIt = rows.filter((r) => r.districtId === districtId);
    return { districtId, communities: inIt.length, population: sum(inIt, 'population'), residents: sum(inIt, 'residents'), vulnerable: sum(inIt, 'vulnerable') };
  });

  const messages: PlanPreview['notification']['messages'] = {};
  const audiences = demand.notify.map(({ phase, step }, s) => {
    const answers = perStep.slice(s * communities.length, (s + 1) * communities.length);
    const recipients = answers.reduce((n, p) => n + p.recipients, 0);
    const first = step.channels[0]!;
    const stepMessages: PlanPreview['notification']['messages'] = { [first]: recipients };
    add(messages, first, recipients);
    return {
      phase,
      stepId: step.id,
      groups: step.audience.groups,
      channels: step.channels,
      recipients,
      vulnerable: answers.reduce((n, p) => n + p.vulnerable, 0),
      messages: stepMessages,
      predictedSeconds: Math.max(0, ...answers.map((p) => p.predictedSeconds)),
      refused: answers.flatMap((p) => (p.refused ? [{ communityId: p.communityId, code: p.refused.code, message: p.refused.message }] : [])),
    };
  });
  const groups = new Set(demand.notify.flatMap(({ step }) => step.audience.groups));
  const residentsByGroup = (['vulnerable', 'everyone', 'responders'] as const)
    .filter((g) => groups.has(g))
    .map((group) => ({ group, residents: group === 'vulnerable' ? sum(rows, 'vulnerable') : group === 'everyone' ? sum(rows, 'residents') : 0 }));

  const byItem = new Map<string, { stepId: string; itemCode: string; requested: number; reservable: number; shortfall: number }>();
  for (const r of answers.supplies.reservations) {
    for (const l of r.lines) {
      const key = `${r.stepId}/${l.itemCode}`;
      const row = byItem.get(key) ?? { stepId: r.stepId, itemCode: l.itemCode, requested: 0, reservable: 0, shortfall: 0 };
      byItem.set(key, row);
      row.requested += l.requested;
      row.reservable += l.reservable;
      row.shortfall += l.shortfall;
    }
  }

  const candidates = answers.personnel?.needs ?? [];
  const tasks = demand.dispatches.map(({ phase, step }) => ({
    phase,
    stepId: step.id,
    role: step.role,
    ...(step.skill ? { skill: step.skill } : {}),
    tasks: communities.length,
    communitiesWithoutCandidates: candidates.filter((n) => n.stepId === step.id && n.candidates === 0).map((n) => n.communityId),
  }));
  // One open task per person and incident: a community needs as many people of a role and skill as it has such tasks.
  const byRole = new Map<string, { role: personnelContract.PersonType; skill?: string; needed: number; available: number; short: number; seen: Map<string, { needed: number; available: number }> }>();
  for (const n of candidates) {
    const key = `${n.role}/${n.skill ?? ''}`;
    const row = byRole.get(key) ?? { role: n.role, ...(n.skill ? { skill: n.skill } : {}), needed: 0, available: 0, short: 0, seen: new Map() };
    byRole.set(key, row);
    const c = row.seen.get(n.communityId) ?? { needed: 0, available: n.candidates };
    row.seen.set(n.communityId, c);
    c.needed++;
  }
  const roles = [...byRole.values()].map(({ seen, ...row }) => {
    for (const c of seen.values()) {
      row.needed += c.needed;
      row.available += c.available;
      row.short += Math.max(0, c.needed - c.available);
    }
    return row;
  });
  const spansOfControl = answers.readiness.communities.flatMap((c) => c.findings.map((f) => ({ communityId: c.communityId, code: f.code, message: f.message, ...(f.value === undefined ? {} : { value: f.value }), ...(f.limit === undefined ? {} : { limit: f.limit }) })));

  return {
    planId: plan.id,
    planVersion: plan.version,
    severity,
    scaling: plan.severityScaling[severity],
    steps: demand.steps,
    totals: { districts: districts.length, communities: rows.length, population: sum(rows, 'population'), residents: sum(rows, 'residents'), vulnerable: sum(rows, 'vulnerable') },
    residentsByGroup,
    districts,
    communities: rows,
    notification: { audiences, messages, predictedSeconds: Math.round(audiences.reduce((n, a) => n + a.predictedSeconds, 0) * 10) / 10 },
    supplies: { ...answers.supplies, byItem: [...byItem.values()] },
    personnel: { tasks, byRole: roles, spansOfControl },
  };
}
