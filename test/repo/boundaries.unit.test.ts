import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import YAML from 'yaml';

/**
 * The package boundaries, checked over the whole tree: every workspace package has a README and an `exports` map
 * whose targets exist; the lint rule against deep imports fires on each way of writing one (and lets a package's
 * own paths through); the TypeScript module graph has no import cycle, type-only ones included.
 */
const ROOT = path.resolve(__dirname, '../..');

function workspacePackages(): string[] {
  const globs = (YAML.parse(fs.readFileSync(path.join(ROOT, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[] }).packages;
  return globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [glob];
    const parent = glob.slice(0, -2);
    return fs.readdirSync(path.join(ROOT, parent)).map((name) => `${parent}/${name}`);
  }).filter((dir) => fs.existsSync(path.join(ROOT, dir, 'package.json')));
}

/** Every file an `exports` entry names (a `*` pattern: the folder it starts in). */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports.includes('*') ? path.dirname(exports.slice(0, exports.indexOf('*')) + 'x') : exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets);
  return [];
}

describe('workspace packages', () => {
  const packages = workspacePackages();

  it('are all found (the list is not empty by mistake)', () => {
    expect(packages).toEqual(expect.arrayContaining(['contracts', 'cli', 'workflows', 'deploy/local', 'packages/platform', 'packages/testkit', 'services/supplies']));
  });

  it.each(packages)('%s has a README and an exports map whose targets exist', (dir) => {
    expect(fs.existsSync(path.join(ROOT, dir, 'README.md'))).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { exports?: unknown; main?: string };
    expect(typeof pkg.exports).toBe('object');
    const missing = [...exportTargets(pkg.exports), ...(pkg.main ? [pkg.main] : [])].filter((target) => !fs.existsSync(path.join(ROOT, dir, target)));
    expect(missing).toEqual([]);
  });
});

/** Lint `code` as if it were `file` with the repo's own config (type-aware rules off: the file does not exist). */
function boundaryErrors(cases: [file: string, code: string][]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false } }, rules: { '@typescript-eslint/no-floating-promises': 'off' } }] });
    const out = [];
    for (const [filePath, code] of cases) {
      const [result] = await eslint.lintText(code, { filePath });
      out.push(result.messages.filter((m) => m.fatal || ['no-restricted-imports', 'no-restricted-syntax', 'lifeline/relative-stays-in-package'].includes(m.ruleId)).map((m) => m.message));
    }
    process.stdout.write(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' })) as string[][];
}

describe('the lint rule against deep imports', () => {
  const deep: [string, string][] = [
    ['services/supplies/src/probe.ts', "import { idFromKey } from '@lifeline/platform/src/ids';"],
    ['services/supplies/test/probe.ts', "import { buildCity } from '../../../cli/src/seed/city';"],
    ['services/supplies/src/probe.ts', "import { openDesks } from '../../personnel/src/nats';"],
    ['services/supplies/src/probe.ts', "export { openDesks } from '../../personnel/src/nats';"],
    ['cli/src/probe.ts', "import { createHandlers } from '../../services/supplies/src/nats';"],
    ['test/e2e/probe.ts', "import { reservationsBench } from '../../services/supplies/bench/reservations';"],
    ['services/supplies/src/probe.ts', "export const load = () => import('../../personnel/src/nats');"],
    ['services/supplies/src/probe.ts', "export const load = () => import('@lifeline/platform/src/ids');"],
    ['services/supplies/test/probe.ts', "jest.mock('../../personnel/src/nats');"],
    ['cli/bin/probe.js', "module.exports = require('../../services/supplies/src/nats');"],
    ['workflows/src/probe.ts', "import { PlanStep } from '@lifeline/contracts/src/plan';"],
  ];
  const own: [string, string][] = [
    ['services/personnel/test/support/probe.ts', "import { PersonnelEnv } from '../../src/config';"],
    ['services/supplies/test/probe.ts', "jest.mock('../src/nats');"],
    ['test/e2e/probe.ts', "import { reachedAtGateway } from './support';"],
    ['deploy/test/probe.ts', "import { renderComposeNatsUsers } from '../compose/render';"],
    ['services/supplies/src/probe.ts', "import { idFromKey } from '@lifeline/platform/ids';"],
  ];

  it("rejects each way of reaching into another package, and lets a package's own paths through", () => {
    const errors = boundaryErrors([...deep, ...own]);
    const fired = errors.map((messages) => messages.length > 0);
    expect(fired).toEqual([...deep.map(() => true), ...own.map(() => false)]);
    // Nothing failed to parse: a parse error would also be a message.
    expect(errors.flat().filter((m) => m.startsWith('Parsing error'))).toEqual([]);
  });
});

/** Import cycles (strongly connected files) among the repo's TypeScript, resolved the way the compiler does. */
function importCycles(): string[][] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const host = ts.createCompilerHost(config.options);
  const relative = (file: string) => path.relative(ROOT, fs.realpathSync(file));
  const edges = new Map<string, string[]>();
  for (const file of config.fileNames) {
    const imports = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles;
    const targets = imports.flatMap(({ fileName }) => {
      const resolved = ts.resolveModuleName(fileName, file, config.options, host).resolvedModule?.resolvedFileName;
      if (!resolved) return [];
      const target = relative(resolved);
      return target.startsWith('..') || target.includes('node_modules') ? [] : [target];
    });
    edges.set(relative(file), targets);
  }
  // Tarjan's strongly connected components; a component of more than one file is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  expect(edges.size).toBeGreaterThan(100);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

describe('the module graph', () => {
  it('has no import cycle', () => {
    expect(importCycles()).toEqual([]);
  });
});
