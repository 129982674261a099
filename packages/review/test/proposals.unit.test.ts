import { LifelineError, PlanDocument } from '@lifeline/contracts';
import { applyProposals } from '../src/patch';
import { stockTargetsOf } from '../src/proposals';
import { buildReport } from '../src/report';
import { inputsFor, plan, WEAK, type DrillShape } from './fixtures';

const proposalsOf = (shape: DrillShape, planDoc = plan()) => buildReport(inputsFor(shape, planDoc)).proposals;

describe('plan revision rules', () => {
  it('a shortfall raises the item’s stock target with head-room and says how much to procure', () => {
    const p = proposalsOf(WEAK).find((x) => x.kind === 'raise-stock-target')!;
    expect(p.patch).toEqual([{ op: 'replace', path: '/phases/mobilize/0/items/0/minimum', from: 1, value: 7 }]);
    expect(p.findingIds).toEqual(['supplies-shortfall:c-weak:tent']);
    // 7 needed at the new target, 1 available: procure 6.
    expect(p.actions[0]?.procure).toEqual({ communityId: 'c-weak', itemCode: 'tent', quantity: 6 });
    // Accepted, it becomes the community's stock target in the supplies service.
    expect(stockTargetsOf(proposalsOf(WEAK))).toEqual([{ communityId: 'c-weak', itemCode: 'tent', quantity: 7 }]);
  });

  it('a task nobody acknowledged turns on fallback to a backup', () => {
    const p = proposalsOf(WEAK).find((x) => x.kind === 'add-backup-role')!;
    expect(p.patch).toEqual([
      { op: 'replace', path: '/phases/mobilize/1/onDeadline', from: 'continue', value: 'fallback-to-backup' },
      { op: 'replace', path: '/phases/mobilize/1/maxFallbacks', from: 0, value: 2 },
    ]);
  });

  it('when fallbacks were already exhausted, a dispatch of a backup role is added after the step', () => {
    const shape: DrillShape = { ...WEAK, tasks: [{ stepId: 'dispatch-grid-worker', role: 'grid-worker', owners: ['gw-1', 'gw-2', 'gw-3'] }] };
    const p = proposalsOf(shape, plan({ maxFallbacks: 2, onDeadline: 'fallback-to-backup' })).find((x) => x.kind === 'add-backup-role')!;
    expect(p.patch).toHaveLength(1);
    expect(p.patch[0]).toMatchObject({ op: 'add', path: '/phases/mobilize/2', value: { id: 'dispatch-grid-worker-backup', kind: 'dispatch', role: 'community-staff' } });
  });

  it('a span too wide adds enough building-leader deputies to bring residents per responder under the limit', () => {
    const p = proposalsOf({ ...WEAK, population: 1000 }).find((x) => x.kind === 'split-span-of-control')!;
    // 1000 residents, limit 400 → 3 responders needed, 1 dispatched → 2 deputies, both after the last dispatch.
    expect(p.patch.map((op) => [op.op, op.path, (op.value as { id: string; role: string }).id, (op.value as { role: string }).role])).toEqual([
      ['add', '/phases/mobilize/2', 'span-deputy-1', 'building-leader'],
      ['add', '/phases/mobilize/2', 'span-deputy-2', 'building-leader'],
    ]);
  });

  it('a late fallback behind a long acknowledgement deadline halves the deadline, a short one is left alone', () => {
    const shape: DrillShape = { ...WEAK, tasks: [{ stepId: 'dispatch-grid-worker', role: 'grid-worker', owners: ['gw-1', 'gw-2'], ackedBy: 'gw-2', ackAfter: 700 }] };
    const long = proposalsOf(shape, plan({ ackDeadlineSeconds: 600, maxFallbacks: 2, onDeadline: 'fallback-to-backup' })).find((x) => x.kind === 'shorten-deadline');
    expect(long?.patch).toEqual([{ op: 'replace', path: '/phases/mobilize/1/ackDeadlineSeconds', from: 600, value: 300 }]);
    expect(proposalsOf(shape, plan({ ackDeadlineSeconds: 120 })).some((x) => x.kind === 'shorten-deadline')).toBe(false);
  });

  it('residents not reached add the next channel the step does not use', () => {
    const p = proposalsOf({ ...WEAK, warned: { total: 600, sent: 500 } }).find((x) => x.kind === 'add-channel')!;
    expect(p.patch).toEqual([{ op: 'add', path: '/phases/warn/0/channels/-', value: 'app-push' }]);
  });

  it('accepting every proposal yields a valid plan; a second drill on it no longer shows the weaknesses', () => {
    const v1 = plan();
    const proposals = proposalsOf(WEAK, v1);
    const v2 = PlanDocument.parse({ ...applyProposals(v1, proposals), version: 2 });
    expect(v2.phases.mobilize.map((s) => s.id)).toEqual(['reserve-tents', 'dispatch-grid-worker', 'span-deputy-1']);
    expect(v1.phases.mobilize).toHaveLength(2); // the pinned version is untouched

    // The second drill: stock procured to the target, gw-1 still silent but the backup answers, a deputy shares the span.
    const second: DrillShape = {
      ...WEAK,
      requested: 7,
      missing: 0,
      tasks: [
        { stepId: 'dispatch-grid-worker', role: 'grid-worker', owners: ['gw-1', 'gw-2'], ackedBy: 'gw-2', ackAfter: 6 },
        { stepId: 'span-deputy-1', role: 'building-leader', owners: ['bl-1'], ackedBy: 'bl-1' },
      ],
    };
    const codes = buildReport(inputsFor(second, v2)).findings.map((f) => f.code);
    expect(codes).not.toContain('supplies-shortfall');
    expect(codes).not.toContain('missed-acknowledgement');
    expect(codes).not.toContain('span-too-wide');
  });

  it('a plan that changed since the report makes the accept a conflict and changes nothing', () => {
    const v1 = plan();
    const proposals = proposalsOf(WEAK, v1);
    const moved = plan({ minimum: 3 });
    const before = JSON.stringify(moved);
    expect(() => applyProposals(moved, proposals)).toThrow(LifelineError);
    expect(JSON.stringify(moved)).toBe(before);
  });
});
