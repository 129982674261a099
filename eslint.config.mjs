// Lint for the whole monorepo (flat config). Type-aware: floating promises are errors everywhere, and workflow
// files (deterministic sandbox code) may not import Node built-ins or the Node-only platform package.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

// A later `no-restricted-imports` entry replaces an earlier one for the same file, so the workflow rule repeats these.
const BOUNDARY_PATTERNS = [
  { regex: '^@lifeline/[^/]+/src(/|$)', message: "import the package's entry point (its package.json `exports`), not its src/" },
  { regex: '^(\\.\\./){3,}', message: 'this relative import climbs out of its package: import the other package by name' },
];
// The same patterns for what `no-restricted-imports` does not see: `import('…')`, `require('…')` (plain JavaScript)
// and the module jest.mock/requireActual load. An esquery regex cannot hold a '/', hence \x2F.
const LOAD_SELECTORS = BOUNDARY_PATTERNS.flatMap(({ regex, message }) => {
  const re = `/${regex.replaceAll('/', '\\x2F')}/`;
  return [`ImportExpression[source.value=${re}]`, `CallExpression[callee.name="require"][arguments.0.value=${re}]`, `CallExpression[callee.object.name="jest"][arguments.0.value=${re}]`].map((selector) => ({ selector, message }));
});

/** The folder of the nearest package.json at or above `dir` (the repo root for bench/, scripts/, test/, deploy/compose…). */
const packageRoots = new Map();
function packageOf(dir) {
  if (!packageRoots.has(dir)) packageRoots.set(dir, fs.existsSync(path.join(dir, 'package.json')) || path.dirname(dir) === dir ? dir : packageOf(path.dirname(dir)));
  return packageRoots.get(dir);
}

/**
 * A relative module path stays inside the package it is written in: another package is imported by its name and its
 * `exports` entries. Resolved against the file's folder, so it holds at any depth (`../../services/x/src` from cli/src
 * as much as `../personnel/src` from services/supplies). Checks imports, re-exports, `import()`, `require()` and jest.mock.
 */
const relativeStaysInPackage = {
  meta: { type: 'problem', schema: [], messages: { leaves: "'{{spec}}' leaves this file's package ({{from}}) for {{to}}: import that package by name (add an `exports` entry if needed)" } },
  create(context) {
    const dir = path.dirname(context.filename);
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.resolve(dir, source.value);
      const there = packageOf(fs.existsSync(target) && fs.statSync(target).isDirectory() ? target : path.dirname(target));
      const here = packageOf(dir);
      if (there !== here) context.report({ node: source, messageId: 'leaves', data: { spec: source.value, from: path.relative(context.cwd, here) || '.', to: path.relative(context.cwd, there) || '.' } });
    };
    const firstArgument = (node) => check(node.arguments[0]);
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      'CallExpression[callee.name="require"]': firstArgument,
      'CallExpression[callee.object.name="jest"]': firstArgument,
    };
  },
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.tools/**', '.data/**', '**/dist/**', 'coverage/**', '.data-*/**', '**/*.tmp.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: { allowDefaultProject: ['*.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Package boundaries: another package is imported by its name and its `exports` entries, never by a path into
    // its `src/`, and no relative import leaves the package it is written in. test/repo/boundaries.unit.test.ts
    // proves each case fires.
    files: ['**/*.{ts,js,mjs,cjs}'],
    plugins: { lifeline: { rules: { 'relative-stays-in-package': relativeStaysInPackage } } },
    rules: {
      'no-restricted-imports': ['error', { patterns: BOUNDARY_PATTERNS }],
      'no-restricted-syntax': ['error', ...LOAD_SELECTORS],
      'lifeline/relative-stays-in-package': 'error',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O helpers.
    files: ['workflows/src/**/*.ts'],
    ignores: ['workflows/src/worker.ts', 'workflows/src/bridge.ts', 'workflows/src/activities.ts', 'workflows/src/signal-bridge.ts', 'workflows/src/telemetry.ts', 'workflows/src/config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, '@lifeline/platform'].map((name) => ({ name, message: 'workflow code is deterministic: no Node built-ins or I/O (use activities)' })),
          patterns: [...BOUNDARY_PATTERNS, { group: ['node:*', '@lifeline/platform/*'], message: 'workflow code is deterministic: no Node built-ins or I/O (use activities)' }],
        },
      ],
      // Temporal evaluates the bundle's modules once per workflow run: values come from the zod-free names and the
      // small schemas of `@lifeline/contracts/inbound`, never the whole contracts (workflows/test/bundle.unit.test.ts).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: '@lifeline/contracts', allowTypeImports: true, message: 'import values from @lifeline/contracts/inbound (types may come from @lifeline/contracts)' }] },
      ],
    },
  },
);
