/**
 * The Lifeline processes compiled once to JavaScript, so a process starts (and one killed comes back) without
 * compiling TypeScript: one esbuild bundle per process in `<repo>/dist/apps/`. Our workspace code is inlined; every
 * package from node_modules stays outside the bundle and is loaded by Node from the file Node itself would pick, so
 * native modules, packages with dynamic requires and the Temporal worker's own workflow bundler (webpack, from the
 * workflow source) behave as they did under tsx.
 *
 * `dist/apps/build.json` records the inputs and a content hash of them (and of the lockfile, the manifests, the
 * compiler settings and this file); `ensureAppBuild` rebuilds when the hash differs, so no process runs old code.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { APPS } from './apps';
import { BUNDLE_DIR } from './bundles';
import { CODEC_SERVER_ENTRY } from './codec-server';
import { REPO_ROOT } from './config';
import { withBuildLock } from './tools';

/** A process to compile: its bundle's name (`dist/apps/<name>.js`) and its entry file, relative to the repository. */
export interface BuildTarget {
  name: string;
  entry: string;
}

/** Every process the stack runs: the apps and the codec server. */
export const BUILD_TARGETS: readonly BuildTarget[] = [...APPS.map(({ name, entry }) => ({ name, entry })), { name: 'codec-server', entry: CODEC_SERVER_ENTRY }];

/** Files besides the bundles' own inputs whose content changes what a build produces. */
const SETTINGS_FILES = ['pnpm-lock.yaml', 'tsconfig.base.json'];

/** `dist/apps/build.json`: what was compiled (the image's launcher, deploy/image/run.cjs, maps entries to bundles by it). */
interface BuildRecord {
  id: string;
  targets: readonly BuildTarget[];
  inputs: string[];
}

type Log = (line: string) => void;

const recordFile = (repoRoot: string) => path.join(repoRoot, BUNDLE_DIR, 'build.json');

/** The package.json nearest to each input: their `exports` decide what an import of the package resolves to. */
function manifestsOf(repoRoot: string, inputs: readonly string[]): string[] {
  const found = new Set<string>();
  for (const dir of new Set(inputs.map((f) => path.dirname(f)))) {
    for (let d = dir; ; d = path.dirname(d)) {
      if (fs.existsSync(path.join(repoRoot, d, 'package.json'))) {
        found.add(path.join(d, 'package.json'));
        break;
      }
      if (d === path.dirname(d)) break;
    }
  }
  return [...found];
}

/** The content hash of a build from `inputs`; undefined when one of them no longer exists. */
export function buildId(repoRoot: string, targets: readonly BuildTarget[], inputs: readonly string[]): string | undefined {
  const hash = createHash('sha256').update(`${esbuild.version}\n${JSON.stringify(targets)}\n`).update(fs.readFileSync(__filename));
  const settings = new Set([...manifestsOf(repoRoot, inputs), ...SETTINGS_FILES]);
  for (const file of [...new Set([...inputs, ...settings])].sort()) {
    const full = path.join(repoRoot, file);
    const exists = fs.existsSync(full);
    if (!exists && !settings.has(file)) return undefined;
    hash.update(`\0${file}\0`).update(exists ? fs.readFileSync(full) : '(none)');
  }
  return hash.digest('hex');
}

/** Why the recorded build cannot be used, or undefined when it is current. */
export function staleReason(repoRoot: string, targets: readonly BuildTarget[] = BUILD_TARGETS): string | undefined {
  const file = recordFile(repoRoot);
  if (!fs.existsSync(file)) return 'no build yet';
  const record = JSON.parse(fs.readFileSync(file, 'utf8')) as BuildRecord;
  const missing = targets.find((t) => !fs.existsSync(path.join(repoRoot, BUNDLE_DIR, `${t.name}.js`)));
  if (missing) return `${missing.name} has no bundle`;
  return buildId(repoRoot, targets, record.inputs) === record.id ? undefined : 'sources changed';
}

/** `./x`, `../x`: how a bundle in `outDir` requires `file`. */
const requirePath = (outDir: string, file: string) => {
  const rel = path.relative(outDir, file).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
};

/**
 * Keeps node_modules out of the bundles, each import pointing at the file Node resolves it to from the importing
 * source (pnpm gives each package its own dependencies), and gives bundled code its source location back: a
 * bundle's `__dirname` is `dist/apps`, so `__dirname`, `__filename` and `require.resolve` in our sources are
 * rewritten to mean the source file's (the command-center serves `../console`, the worker hands Temporal's bundler
 * `./workflows`).
 */
function sourcePlacesPlugin(outDir: string): esbuild.Plugin {
  return {
    name: 'lifeline-source-places',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        if (args.path.startsWith('@lifeline/')) return undefined;
        return { path: requirePath(outDir, createRequire(args.importer).resolve(args.path)), external: true };
      });
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = await fs.promises.readFile(args.path, 'utf8');
        if (!/\b(__dirname|__filename|require\.resolve)\b/.test(text)) return { contents: text, loader: 'ts' };
        const resolveDir = path.dirname(args.path);
        // A relative require.resolve names a source file (extension-less, as tsx resolved it): resolved now, to its path.
        const calls = new Map(Array.from(text.matchAll(/\brequire\.resolve\((['"])(\.{1,2}\/[^'"]+)\1\)/g), (m) => [m[0], m[2]!] as const));
        let contents = text.replace(/\b__dirname\b/g, '__sourceDir').replace(/\b__filename\b/g, '__sourceFile');
        for (const [call, spec] of calls) {
          const found = await build.resolve(spec, { resolveDir, kind: 'require-resolve' });
          if (found.errors.length > 0) return { errors: found.errors };
          contents = contents.replaceAll(call, `require("node:path").join(__sourceDir, ${JSON.stringify(path.relative(resolveDir, found.path))})`);
        }
        contents = contents.replace(/\brequire\.resolve\(/g, '__sourceRequire.resolve(');
        // On the first line, so the source map's line numbers stay right.
        const head = `const __sourceFile = require("node:path").join(__dirname, ${JSON.stringify(path.relative(outDir, args.path))}), __sourceDir = require("node:path").dirname(__sourceFile), __sourceRequire = require("node:module").createRequire(__sourceFile); `;
        return { contents: head + contents, loader: 'ts' };
      });
    },
  };
}

/** Compiles every target into `dist/apps` (each file replaced whole, so a running process never reads half a file). */
export async function buildApps(repoRoot: string = REPO_ROOT, targets: readonly BuildTarget[] = BUILD_TARGETS): Promise<BuildRecord> {
  const outDir = path.join(repoRoot, BUNDLE_DIR);
  const result = await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: Object.fromEntries(targets.map((t) => [t.name, path.join(repoRoot, t.entry)])),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Class and function names stay as written: errors and logs name them.
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [sourcePlacesPlugin(outDir)],
  });
  fs.mkdirSync(outDir, { recursive: true });
  for (const out of result.outputFiles) {
    fs.writeFileSync(`${out.path}.tmp`, out.contents);
    fs.renameSync(`${out.path}.tmp`, out.path);
  }
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
  const id = buildId(repoRoot, targets, inputs);
  if (!id) throw new Error('a source file disappeared during the build; run it again');
  const record: BuildRecord = { id, targets, inputs };
  fs.writeFileSync(recordFile(repoRoot), `${JSON.stringify(record, null, 1)}\n`);
  return record;
}

/**
 * Builds the processes unless `dist/apps` holds a build of exactly the current sources; one builder at a time across
 * processes. Returns what it did.
 */
export async function ensureAppBuild(opts: { repoRoot?: string; log?: Log } = {}): Promise<'up to date' | 'built'> {
  const repoRoot = opts.repoRoot ?? REPO_ROOT;
  const log = opts.log ?? ((line: string) => console.log(`[build] ${line}`));
  if (!staleReason(repoRoot)) return 'up to date';
  fs.mkdirSync(path.join(repoRoot, BUNDLE_DIR), { recursive: true });
  return withBuildLock(
    path.join(repoRoot, BUNDLE_DIR, '.build.lock'),
    async () => {
      const reason = staleReason(repoRoot);
      if (!reason) return 'up to date';
      const started = Date.now();
      const record = await buildApps(repoRoot);
      log(`compiled ${record.targets.length} processes into ${BUNDLE_DIR} (${reason}; ${record.inputs.length} sources) in ${Date.now() - started} ms`);
      return 'built';
    },
    log,
  );
}

// `node --import tsx deploy/local/src/build.ts`: the build on its own (scripts/bootstrap.mjs and the image run it).
if (require.main === module) {
  ensureAppBuild().then(
    (what) => process.stdout.write(`processes: ${what} in ${BUNDLE_DIR}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
