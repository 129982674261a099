/**
 * The community steps, one runner per kind. The registry's type names every kind a plan may hold, so a new kind in
 * contracts/src/plan.ts does not compile until it has a runner here (or is declared incident-level, which the
 * incident workflow runs itself: domain/segments.ts).
 */
import type { PlanStep, StepOf } from '@lifeline/contracts';
import type { CommunityRun } from '../community/run';
import type { IncidentLevelStep } from '../domain/segments';
import { award } from './award';
import { dispatch } from './dispatch';
import { notify } from './notify';
import { openSite } from './open-site';
import { reserve } from './reserve';

export type CommunityStepKind = Exclude<PlanStep['kind'], IncidentLevelStep['kind']>;
export type StepRunner<K extends CommunityStepKind> = (run: CommunityRun, step: StepOf<K>) => Promise<void>;

export const STEPS: { readonly [K in CommunityStepKind]: StepRunner<K> } = {
  notify,
  reserve,
  dispatch,
  award,
  'open-site': openSite,
};

/** Run one community step by its kind's runner; an incident-level step given to a community is a note. */
export function runStep(run: CommunityRun, step: PlanStep): Promise<void> {
  if (!(step.kind in STEPS)) {
    run.note(step.id, `step kind "${step.kind}" does not run per community; skipped`);
    return Promise.resolve();
  }
  const runner = STEPS[step.kind as CommunityStepKind] as StepRunner<CommunityStepKind>;
  return runner(run, step as StepOf<CommunityStepKind>);
}
