import { LifelineError, type PlanPatchOperation, type PlanProposal } from '@lifeline/contracts';

const decode = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');
const tokensOf = (path: string) => path.split('/').slice(1).map(decode);

const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function parentOf(doc: unknown, path: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  const tokens = tokensOf(path);
  const key = tokens.pop();
  let node: unknown = doc;
  for (const t of tokens) {
    if (typeof node !== 'object' || node === null) throw new LifelineError('conflict', `plan has no ${path}`, { path });
    node = (node as Record<string, unknown>)[t];
  }
  if (typeof node !== 'object' || node === null || key === undefined) throw new LifelineError('conflict', `plan has no ${path}`, { path });
  return { parent: node as Record<string, unknown> | unknown[], key };
}

/** Apply one JSON-Patch operation in place; `replace` first checks the value is still the one the proposal saw. */
function applyOperation(doc: unknown, op: PlanPatchOperation): void {
  const { parent, key } = parentOf(doc, op.path);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new LifelineError('conflict', `index ${key} is out of range at ${op.path}`, { path: op.path });
    if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value));
    else {
      if (index >= parent.length) throw new LifelineError('conflict', `nothing at ${op.path}`, { path: op.path });
      if (op.from !== undefined && !equal(parent[index], op.from)) throw new LifelineError('conflict', `${op.path} changed since the report`, { path: op.path });
      if (op.op === 'replace') parent[index] = structuredClone(op.value);
      else parent.splice(index, 1);
    }
    return;
  }
  if (op.op !== 'add' && !(key in parent)) throw new LifelineError('conflict', `nothing at ${op.path}`, { path: op.path });
  if (op.op === 'replace' && op.from !== undefined && !equal(parent[key], op.from)) throw new LifelineError('conflict', `${op.path} changed since the report`, { path: op.path, expected: op.from, found: parent[key] });
  if (op.op === 'remove') delete parent[key];
  else parent[key] = structuredClone(op.value);
}

/** Array inserts shift later indices: apply in-place changes first, then inserts from the highest index down. */
function ordered(ops: readonly PlanPatchOperation[]): PlanPatchOperation[] {
  const isInsert = (op: PlanPatchOperation) => op.op === 'add' && /\/\d+$/.test(op.path);
  const inserts = ops.filter(isInsert);
  const rest = ops.filter((op) => !isInsert(op));
  const indexOf = (op: PlanPatchOperation) => Number(op.path.split('/').at(-1));
  const arrayOf = (op: PlanPatchOperation) => op.path.split('/').slice(0, -1).join('/');
  const sortedInserts = inserts
    .map((op, order) => ({ op, order }))
    .sort((a, b) => arrayOf(a.op).localeCompare(arrayOf(b.op)) || indexOf(b.op) - indexOf(a.op) || b.order - a.order)
    .map((x) => x.op);
  return [...rest, ...sortedInserts];
}

/**
 * The plan with the chosen proposals applied (the input is not changed). Every path refers to the pinned version
 * the report was made from; a value that changed since makes the whole accept a `conflict`, nothing applied.
 */
export function applyProposals<T>(plan: T, proposals: readonly PlanProposal[]): T {
  const doc = structuredClone(plan);
  for (const op of ordered(proposals.flatMap((p) => p.patch))) applyOperation(doc, op);
  return doc;
}
