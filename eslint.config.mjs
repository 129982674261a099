// Lint for the whole monorepo (flat config). Type-aware: floating promises are errors everywhere, and workflow
// files (deterministic sandbox code) may not import Node built-ins or the Node-only platform package.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.tools/**', '.data/**', '**/dist/**', 'coverage/**', '**/*.tmp.ts'] },
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
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O helpers.
    files: ['workflows/src/**/*.ts'],
    ignores: ['workflows/src/worker.ts', 'workflows/src/bridge.ts', 'workflows/src/activities.ts', 'workflows/src/signal-bridge.ts', 'workflows/src/telemetry.ts', 'workflows/src/config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, '@lifeline/platform'].map((name) => ({ name, message: 'workflow code is deterministic: no Node built-ins or I/O (use activities)' })),
          patterns: [{ group: ['node:*', '@lifeline/platform/*'], message: 'workflow code is deterministic: no Node built-ins or I/O (use activities)' }],
        },
      ],
    },
  },
);
