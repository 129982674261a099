import path from 'node:path';

/** Where the compiled processes live, relative to the repository root (git-ignored, rebuilt when stale: build.ts). */
export const BUNDLE_DIR = path.join('dist', 'apps');

/** A process's compiled entry, relative to the repository root. */
export const bundleFile = (name: string) => path.join(BUNDLE_DIR, `${name}.js`);

/** Node's arguments for a compiled process: stack traces name the TypeScript lines (the bundles carry source maps). */
export const bundleArgs = (name: string) => ['--enable-source-maps', bundleFile(name)];
