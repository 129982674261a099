// Lint for the whole monorepo (flat config). Type-aware: floating promises are errors everywhere, and workflow
// files (deterministic sandbox code) may not import Node built-ins or the Node-only platform package.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

// A later `no-restricted-imports` entry replaces an earlier one for the same file, so the workflow rule repeats these.
const BOUNDARY_PATTERNS = [
  { regex: '^@lifeline/[^/]+/src(/|$)', message: "import the package's entry point (its package.json `exports`), not its src/" },
  { regex: '^(\\.\\./)+[^./][^/]*/src(/|$)', message: "another package's src/ is private: import it by package name (add an `exports` entry if needed)" },
  { regex: '^(\\.\\./){3,}', message: 'this relative import climbs out of its package: import the other package by name' },
];
// The root package's folders (and deploy's tools) sit beside the packages: from there, a relative path into one is a deep import.
const ROOT_FOLDERS = ['bench/**', 'scripts/**', 'test/**', 'deploy/compose/**', 'deploy/image/**', 'deploy/test/**'];
const BESIDE_PACKAGES = { regex: '^(\\.\\./)+(cli|contracts|local|packages|services|workflows)(/|$)', message: 'this relative import reaches into another package: import it by name' };

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
    // its `src/`, and no relative import climbs out of the package it is written in.
    files: ['**/*.{ts,js,mjs,cjs}'],
    rules: { 'no-restricted-imports': ['error', { patterns: BOUNDARY_PATTERNS }] },
  },
  { files: ROOT_FOLDERS, rules: { 'no-restricted-imports': ['error', { patterns: [...BOUNDARY_PATTERNS, BESIDE_PACKAGES] }] } },
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
    },
  },
);
