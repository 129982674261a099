import { LifelineError, type Caller } from '@lifeline/contracts';
import { diffPlans } from '../src/domain/plan-diff';
import { approvalRefusal, authorOf, retireRefusal, statusOf, versionToRun, type Lifecycle } from '../src/domain/plan-lifecycle';
import { validatePlan } from '../src/domain/plans';
import { bundledPlan } from './support/plan-mistakes';

const v = (version: number, status: Lifecycle['status'], createdBy = 'alice'): Lifecycle => ({ planId: 'p', version, createdBy, status, author: createdBy });
const commander = (sub: string): Pick<Caller, 'sub' | 'roles'> => ({ sub, roles: ['commander'] });
const refusedWith = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    return (err as LifelineError).code;
  }
  return 'accepted';
};

describe('version lifecycle', () => {
  it('versions stored before the lifecycle: the library’s are approved, anyone else’s drafts', () => {
    expect(statusOf({ planId: 'p', version: 1, createdBy: 'library' })).toBe('approved');
    expect(statusOf({ planId: 'p', version: 2, createdBy: 'bob' })).toBe('draft');
    expect(authorOf({ planId: 'p', version: 3, createdBy: 'carol [review inc-1:a,b]' })).toBe('carol');
  });

  it('a draft is approved by another commander or an admin, never by its author', () => {
    expect(approvalRefusal(v(2, 'draft'), commander('alice'))?.code).toBe('forbidden');
    expect(approvalRefusal(v(2, 'draft'), commander('bob'))).toBeUndefined();
    expect(approvalRefusal(v(2, 'draft'), { sub: 'alice', roles: ['admin'] })).toBeUndefined();
  });

  it('only a draft is approved; a retired version is not retired twice', () => {
    expect(approvalRefusal(v(2, 'approved'), commander('bob'))?.code).toBe('invalid_state');
    expect(approvalRefusal(v(2, 'retired'), commander('bob'))?.code).toBe('invalid_state');
    expect(retireRefusal(v(2, 'draft'))).toBeUndefined();
    expect(retireRefusal(v(2, 'approved'))).toBeUndefined();
    expect(retireRefusal(v(2, 'retired'))?.code).toBe('invalid_state');
  });

  it('incidents start on the latest approved version, not a newer draft', () => {
    expect(versionToRun('p', [v(1, 'approved'), v(2, 'approved'), v(3, 'draft')], {})).toBe(2);
    expect(versionToRun('p', [v(1, 'approved'), v(2, 'retired'), v(3, 'draft')], { drill: true })).toBe(1);
  });

  it('a plan with no approved version starts nothing, and says which drafts wait', () => {
    expect(() => versionToRun('p', [v(1, 'draft'), v(2, 'retired')], {})).toThrow(/no approved version.*v1/);
  });

  it('a named draft runs only as a drill; a named retired version never; a missing one is not found', () => {
    const versions = [v(1, 'approved'), v(2, 'retired'), v(3, 'draft')];
    expect(versionToRun('p', versions, { planVersion: 3, drill: true })).toBe(3);
    expect(refusedWith(() => versionToRun('p', versions, { planVersion: 3, drill: false }))).toBe('invalid_state');
    expect(refusedWith(() => versionToRun('p', versions, { planVersion: 2, drill: true }))).toBe('invalid_state');
    expect(versionToRun('p', versions, { planVersion: 1 })).toBe(1);
    expect(refusedWith(() => versionToRun('p', versions, { planVersion: 9 }))).toBe('not_found');
  });
});

describe('plan diff', () => {
  const v1 = validatePlan(bundledPlan('community-drill'), 'v1');

  it('two equal versions differ in nothing', () => {
    const diff = diffPlans(v1, { ...v1, version: 2 });
    expect(diff).toMatchObject({ planId: 'community-drill', from: 1, to: 2, changes: [] });
    expect(diff.text).toBe('community-drill v1 → v2: no changes');
  });

  it('matches steps by id: an inserted step is one addition, a changed field one change, a moved step a reorder', () => {
    const v2 = structuredClone({ ...v1, version: 2 });
    const [reserve, dispatch] = v2.phases.mobilize;
    if (dispatch?.kind !== 'dispatch' || !reserve) throw new Error('the drill changed');
    dispatch.maxFallbacks = 3;
    v2.phases.mobilize = [dispatch, { ...dispatch, id: 'dispatch-deputy', title: { zh: '副手', en: 'Dispatch a deputy' } }, reserve];
    v2.phases.recover = v2.phases.recover.filter((s) => s.id !== 'all-clear');
    v2.severityScaling = { ...v2.severityScaling, I: 2.5 };
    const diff = diffPlans(v1, v2);
    expect(diff.changes).toEqual(
      expect.arrayContaining([
        { path: 'severityScaling.I', change: 'changed', from: 2, to: 2.5 },
        { path: 'phases.mobilize.dispatch-grid-worker.maxFallbacks', change: 'changed', from: 2, to: 3 },
        expect.objectContaining({ path: 'phases.mobilize.dispatch-deputy', change: 'added' }),
        { path: 'phases.mobilize', change: 'reordered', from: ['reserve-shelter-kits', 'dispatch-grid-worker'], to: ['dispatch-grid-worker', 'reserve-shelter-kits'] },
        expect.objectContaining({ path: 'phases.recover.all-clear', change: 'removed' }),
      ]),
    );
    expect(diff.changes).toHaveLength(5);
    expect(diff.text.split('\n')).toEqual(
      expect.arrayContaining([
        'community-drill v1 → v2: 5 change(s)',
        '~ severityScaling.I: 2 → 2.5',
        '+ phases.mobilize.dispatch-deputy: dispatch step "Dispatch a deputy"',
        '- phases.recover.all-clear: notify step "Send the all-clear"',
        '↕ phases.mobilize: reserve-shelter-kits, dispatch-grid-worker → dispatch-grid-worker, reserve-shelter-kits',
      ]),
    );
  });
});
