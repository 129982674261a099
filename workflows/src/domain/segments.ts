import type { PlanStep, Severity, StepOf } from '@lifeline/contracts';

/** Steps the incident workflow runs itself; every other kind runs per community in child workflows. */
export const INCIDENT_LEVEL_KINDS = ['await', 'collect'] as const;
type IncidentLevelKind = (typeof INCIDENT_LEVEL_KINDS)[number];
export type IncidentLevelStep = Extract<PlanStep, { kind: IncidentLevelKind }>;

export type Segment = { scope: 'incident'; step: IncidentLevelStep } | { scope: 'communities'; steps: PlanStep[] };

const isIncidentLevel = (step: PlanStep): step is IncidentLevelStep => (INCIDENT_LEVEL_KINDS as readonly string[]).includes(step.kind);

/**
 * Split a phase into what runs where, keeping the plan's order: each incident-level step on its own, and each
 * run of consecutive community steps as one fan-out down the district → community hierarchy.
 */
export function splitPhase(steps: readonly PlanStep[]): Segment[] {
  const segments: Segment[] = [];
  for (const step of steps) {
    const last = segments[segments.length - 1];
    if (isIncidentLevel(step)) segments.push({ scope: 'incident', step });
    else if (last?.scope === 'communities') last.steps.push(step);
    else segments.push({ scope: 'communities', steps: [step] });
  }
  return segments;
}

/** A step limited to some severities only runs at those. */
export const appliesAt = (step: PlanStep, severity: Severity) => !step.severities || step.severities.includes(severity);

/**
 * The warn phase's leading notify steps, which a district runs itself for all its communities (patch
 * `district-warns`): up to the first step of another kind, or the first whose deadline asks the commander (the
 * commander's decision is handed down to the community run, which a district warn does not have).
 */
export function leadingWarnings(steps: readonly PlanStep[]): StepOf<'notify'>[] {
  const leading: StepOf<'notify'>[] = [];
  for (const step of steps) {
    if (step.kind !== 'notify' || step.onDeadline === 'ask-commander') break;
    leading.push(step);
  }
  return leading;
}

/** A step a district runs itself for each of its communities: commands only, nothing that waits on the community. */
export type DistrictStep = StepOf<'notify'> | StepOf<'reserve'> | StepOf<'award'>;

/**
 * A segment's leading steps a district can run itself for all its communities (patch `district-steps`), in any
 * phase: notify steps (not one whose deadline asks the commander: the decision is handed down to a community run)
 * and reserve steps of every action (reserve, issue, return: one command per community and reservation); with
 * `awards` (patch `district-awards`) award steps too: one command per completed task the community's state holds,
 * since the dispatch step that waited for the task recorded its completion. Up to the first step of another kind:
 * dispatch and open-site wait on signals to the community's own run.
 */
export function districtSteps(steps: readonly PlanStep[], { awards = false }: { awards?: boolean } = {}): DistrictStep[] {
  const leading: DistrictStep[] = [];
  for (const step of steps) {
    if (step.kind === 'reserve') leading.push(step);
    else if (step.kind === 'award' && awards) leading.push(step);
    else if (step.kind === 'notify' && step.onDeadline !== 'ask-commander') leading.push(step);
    else break;
  }
  return leading;
}
