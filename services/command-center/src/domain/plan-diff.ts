import { PHASES, type PlanDocument, type PlanStep } from '@lifeline/contracts';
import type { PlanChange, PlanDiff } from '@lifeline/contracts/http/command-center';

/**
 * What changed between two versions of a plan, for a reviewer about to approve one. Steps are matched by id within
 * their phase (an inserted step is one `added` change, not a shifted list), so paths read `phases.<phase>.<stepId>.<field>`;
 * other values are compared field by field. The version number itself is left out.
 */
export function diffPlans(from: PlanDocument, to: PlanDocument): PlanDiff {
  const changes: PlanChange[] = [];
  const { phases: fromPhases, version: _v1, ...fromRest } = from;
  const { phases: toPhases, version: _v2, ...toRest } = to;
  compare('', fromRest, toRest, changes);
  for (const phase of PHASES) diffSteps(`phases.${phase}`, fromPhases[phase], toPhases[phase], changes);
  return { planId: to.id, from: from.version, to: to.version, changes, text: render(from, to, changes) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (base: string, key: string | number) => (base ? `${base}.${key}` : String(key));

function compare(path: string, a: unknown, b: unknown, out: PlanChange[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a === undefined) return void out.push({ path, change: 'added', to: b });
  if (b === undefined) return void out.push({ path, change: 'removed', from: a });
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) compare(join(path, key), a[key], b[key], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every(isObject)) {
    a.forEach((item, i) => compare(join(path, i), item, b[i], out));
    return;
  }
  out.push({ path, change: 'changed', from: a, to: b });
}

function diffSteps(path: string, a: PlanStep[], b: PlanStep[], out: PlanChange[]): void {
  const before = new Map(a.map((s) => [s.id, s]));
  const after = new Map(b.map((s) => [s.id, s]));
  for (const step of a) if (!after.has(step.id)) out.push({ path: join(path, step.id), change: 'removed', from: step });
  for (const step of b) {
    const old = before.get(step.id);
    if (old) compare(join(path, step.id), old, step, out);
    else out.push({ path: join(path, step.id), change: 'added', to: step });
  }
  const kept = (steps: PlanStep[], other: Map<string, PlanStep>) => steps.filter((s) => other.has(s.id)).map((s) => s.id);
  const order = { from: kept(a, after), to: kept(b, before) };
  if (order.from.join() !== order.to.join()) out.push({ path, change: 'reordered', ...order });
}

const show = (v: unknown): string => {
  if (isObject(v) && typeof v.kind === 'string' && typeof v.id === 'string') {
    const title = isObject(v.title) && typeof v.title.en === 'string' ? ` "${v.title.en}"` : '';
    return `${v.kind} step${title}`;
  }
  return JSON.stringify(v);
};

function render(from: PlanDocument, to: PlanDocument, changes: PlanChange[]): string {
  const lines = changes.map((c) => {
    switch (c.change) {
      case 'added':
        return `+ ${c.path}: ${show(c.to)}`;
      case 'removed':
        return `- ${c.path}: ${show(c.from)}`;
      case 'changed':
        return `~ ${c.path}: ${show(c.from)} → ${show(c.to)}`;
      case 'reordered':
        return `↕ ${c.path}: ${(c.from as string[]).join(', ')} → ${(c.to as string[]).join(', ')}`;
    }
  });
  const head = `${to.id} v${from.version} → v${to.version}: ${changes.length ? `${changes.length} change(s)` : 'no changes'}`;
  return [head, ...lines].join('\n');
}
