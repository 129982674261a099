import { applySourcePatch, FERRETDB_PATCHES } from '../src/tools';

describe('FerretDB source patches', () => {
  const patch = FERRETDB_PATCHES[0];

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
});
