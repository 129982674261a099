import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { COMMAND_RECORDS } from '@lifeline/contracts';
import { COMMAND_READERS } from '../src/readers';

const SRC = path.resolve(__dirname, '../src');

/** Every command name the review's sources pass to `recordOf(call, '<name>')`, found in the syntax tree (comments do not count). */
function namesRead(): Set<string> {
  const names = new Set<string>();
  for (const file of fs.readdirSync(SRC).filter((f) => f.endsWith('.ts'))) {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(SRC, file), 'utf8'), ts.ScriptTarget.Latest);
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'recordOf') {
        const name = node.arguments[1];
        if (name && ts.isStringLiteral(name)) names.add(name.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return names;
}

describe('every command record has a reader in the review, or a reason it has none', () => {
  it('lists exactly the commands that have records (a new command kind fails here until it is listed)', () => {
    expect(Object.keys(COMMAND_READERS).sort()).toEqual(Object.keys(COMMAND_RECORDS).sort());
  });

  it('reads every command marked read, and no other', () => {
    const marked = Object.entries(COMMAND_READERS).filter(([, how]) => how === 'read').map(([name]) => name);
    expect([...namesRead()].sort()).toEqual(marked.sort());
  });
});
