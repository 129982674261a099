import fs from 'node:fs';
import path from 'node:path';
import { applySourcePatch, FERRETDB_PATCHES } from '../src/tools';

const edits = FERRETDB_PATCHES.flatMap((p) => ('from' in p ? [p] : []));

describe('FerretDB source patches', () => {
  const patch = edits.find((p) => p.id === 'sqlite-id-index')!;

  it('makes the _id lookup use the expression of the _id index', () => {
    const source = `const (\n\tDefaultColumn = backends.ReservedPrefix + "sjson"\n\t${patch.from}\n)\n`;
    const patched = applySourcePatch(source, patch);
    expect(patched).toContain('IDColumn = DefaultColumn + `->"_id"`');
    expect(patched).not.toContain(`'$._id'`);
  });

  it('refuses a source where the line is missing or appears twice, so an upgrade cannot skip it silently', () => {
    expect(() => applySourcePatch('package metadata\n', patch)).toThrow(/does not apply/);
    expect(() => applySourcePatch(`${patch.from}\n${patch.from}\n`, patch)).toThrow(/does not apply/);
  });

  it('every write path takes the collection lock, and the lock and $in files it adds exist', () => {
    const locked = edits.filter((p) => p.id === 'atomic-updates').map((p) => p.file);
    expect(locked.sort()).toEqual(['internal/handler/msg_delete.go', 'internal/handler/msg_findandmodify.go', 'internal/handler/msg_update.go']);
    for (const p of edits.filter((e) => e.id === 'atomic-updates')) expect(p.to).toContain('defer lockCollection(params.DB, params.Collection)()');
    for (const p of FERRETDB_PATCHES) {
      if ('add' in p) expect(fs.existsSync(path.join(__dirname, '..', 'ferretdb', p.add))).toBe(true);
    }
  });
});
