import { PlanStep } from '@lifeline/contracts';
import { STEPS } from '../src/steps';
import { INCIDENT_LEVEL_KINDS } from '../src/domain/segments';

describe('the step registry', () => {
  // The registry's type already demands a runner per community kind; this catches a kind added to the plan schema
  // while the registry was widened or cast around.
  it('has a runner for every kind a plan may hold that the incident does not run itself', () => {
    const kinds = PlanStep.options.map((o) => o.shape.kind.value as string);
    const community = kinds.filter((k) => !(INCIDENT_LEVEL_KINDS as readonly string[]).includes(k));
    expect(community.length).toBeGreaterThan(0);
    expect(Object.keys(STEPS).sort()).toEqual([...community].sort());
    for (const kind of community) expect(typeof STEPS[kind as keyof typeof STEPS]).toBe('function');
  });
});
