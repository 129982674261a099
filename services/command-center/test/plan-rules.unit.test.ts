import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LifelineError } from '@lifeline/contracts';
import { PLAN_VOCABULARY } from '@lifeline/contracts/plan-rules';
import { LIBRARY_DIR, loadLibrary, nextVersion, validatePlan } from '../src/domain/plans';
import { bundledPlan, drillWith, FUZZED_VERSIONS, PLAN_MISTAKES } from './support/plan-mistakes';

type Detail = { path: string; message: string; allowed?: unknown[] };
/** The details of the refusal, or a failure when the plan was accepted. */
function refusal(run: () => unknown): Detail[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(LifelineError);
    expect((err as LifelineError).code).toBe('invalid_request');
    return (err as LifelineError).details as Detail[];
  }
  throw new Error('the plan was accepted');
}

describe('semantic plan validation', () => {
  it('every bundled plan passes (start-up would stop otherwise)', () => {
    expect(loadLibrary().map((p) => p.id)).toEqual(expect.arrayContaining(['community-drill', 'comprehensive', 'earthquake', 'flood-typhoon', 'food-safety', 'production-safety', 'public-health']));
  });

  it.each(PLAN_MISTAKES.map((m) => [m.name, m] as const))('refuses %s, naming the path', (_name, mistake) => {
    const details = refusal(() => validatePlan(drillWith(mistake), 'test'));
    expect(details.map((d) => d.path)).toContain(mistake.path);
    for (const d of details) expect(d.message.length).toBeGreaterThan(10);
  });

  it('there are more than twenty distinct mistakes, each at its own path or cause', () => {
    expect(new Set(PLAN_MISTAKES.map((m) => m.name)).size).toBeGreaterThanOrEqual(20);
  });

  it.each(FUZZED_VERSIONS.map((v) => [v.planId, v] as const))('refuses the fuzzed version of %s', (planId, fuzzed) => {
    const previous = validatePlan(bundledPlan(planId), planId);
    const details = refusal(() => nextVersion(planId, previous, drillWith(fuzzed, planId)));
    expect(details.map((d) => d.path)).toEqual(expect.arrayContaining(fuzzed.paths));
  });

  it('a new version may not change the plan’s kind or hazard, even to a consistent pair', () => {
    const previous = validatePlan(bundledPlan('comprehensive'), 'comprehensive');
    const details = refusal(() => nextVersion('comprehensive', previous, { ...bundledPlan('comprehensive'), kind: 'natural-disaster', hazard: 'flood-typhoon' }));
    expect(details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'kind', allowed: ['comprehensive'] }), expect.objectContaining({ path: 'hazard', allowed: ['multi-hazard'] })]));
  });

  it('says what would be valid: the catalogue for an unknown item, the roster’s skills for an unknown skill', () => {
    const item = refusal(() => validatePlan(drillWith(PLAN_MISTAKES.find((m) => m.name.startsWith('an item the catalogue'))!), 'test'));
    expect(item.find((d) => d.path.endsWith('itemCode'))).toMatchObject({ message: expect.stringContaining('medkit'), allowed: PLAN_VOCABULARY.itemCodes });
    const skill = refusal(() => validatePlan(drillWith(PLAN_MISTAKES.find((m) => m.name === 'a skill nobody has')!), 'test'));
    expect(skill).toEqual([expect.objectContaining({ path: 'phases.mobilize.1.skill', allowed: PLAN_VOCABULARY.skills })]);
  });

  it('shape errors come before meaning: a malformed plan is refused by its schema', () => {
    const details = refusal(() => validatePlan({ ...bundledPlan('community-drill'), severityScaling: { I: -1 } }, 'test'));
    expect(details.map((d) => d.path)).toContain('severityScaling.I');
  });

  it('a bundled plan that fails stops the library load with its errors', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plans-'));
    try {
      fs.copyFileSync(path.join(LIBRARY_DIR, 'community-drill.json'), path.join(dir, 'a.json'));
      fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify(drillWith(PLAN_MISTAKES[0]!)));
      expect(() => loadLibrary(dir)).toThrow(/b\.json/);
      expect(refusal(() => loadLibrary(dir)).map((d) => d.path)).toContain('severityScaling.IV');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
