import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applySourcePatch, FERRETDB_PATCHES, ferretDbBuildId } from '../src/tools';

const edits = FERRETDB_PATCHES.flatMap((p) => ('from' in p ? [p] : []));
const PATCH_DIR = path.join(__dirname, '..', 'ferretdb');

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

  it('every write path takes the collection lock, and the files the patches add exist', () => {
    const locked = edits.filter((p) => p.id === 'atomic-updates').map((p) => p.file);
    expect(locked.sort()).toEqual(['internal/handler/msg_delete.go', 'internal/handler/msg_findandmodify.go']);
    for (const p of edits.filter((e) => e.id === 'atomic-updates')) expect(p.to).toContain('defer lockCollection(params.DB, params.Collection)()');
    // The update command's statements run in lifeline_statements.go, which takes the lock for the whole command.
    const statements = fs.readFileSync(path.join(PATCH_DIR, 'lifeline_statements.go'), 'utf8');
    expect(statements).toMatch(/func \(h \*Handler\) updateStatements\([^)]*\)[^{]*\{\n\tdefer lockCollection\(params\.DB, params\.Collection\)\(\)\n/);
    for (const p of FERRETDB_PATCHES) {
      if ('add' in p) expect(fs.existsSync(path.join(PATCH_DIR, p.add))).toBe(true);
    }
  });

  it('update and delete go through the batched statements, and nothing calls the stock per-statement update loop', () => {
    const to = edits.filter((p) => p.id === 'one-transaction-per-command').map((p) => p.to).join('\n');
    expect(to).toContain('h.updateStatements(connCtx, params)');
    expect(to).toContain('s.run(func(ctx context.Context)');
    expect(to).not.toContain('h.updateDocument(');
  });

  it('the build id changes with any added Go file or edit, so a binary cached from other patches is rebuilt', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-patches-'));
    try {
      for (const p of FERRETDB_PATCHES) if ('add' in p) fs.copyFileSync(path.join(PATCH_DIR, p.add), path.join(dir, p.add));
      const built = ferretDbBuildId(FERRETDB_PATCHES, dir);
      expect(built).toBe(ferretDbBuildId());
      expect(built).toMatch(/^sqlite-id-index,atomic-updates,.*one-transaction-per-command sha256:[0-9a-f]{64}$/);
      fs.appendFileSync(path.join(dir, 'lifeline_statements.go'), '// changed\n');
      expect(ferretDbBuildId(FERRETDB_PATCHES, dir)).not.toBe(built);
      const changedEdit = FERRETDB_PATCHES.map((p, i) => (i === 0 && 'to' in p ? { ...p, to: `${p.to} ` } : p));
      expect(ferretDbBuildId(changedEdit)).not.toBe(ferretDbBuildId());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
