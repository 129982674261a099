import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { buildApps, ensureAppBuild, staleReason } from '../src/build';
import { REPO_ROOT } from '../src/config';

/**
 * The compiled processes: a bundle inlines our sources, leaves every package to Node, keeps its sources' places
 * (`__dirname`, `__filename`, `require.resolve`), and the build knows when a source changed since.
 */
describe('compiling a process', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-build-'));
  const targets = [{ name: 'main', entry: 'src/main.ts' }];
  const bundle = path.join(root, 'dist', 'apps', 'main.js');
  const run = () => JSON.parse(spawnSync(process.execPath, [bundle], { encoding: 'utf8' }).stdout) as Record<string, string>;

  beforeAll(() => {
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'package.json'), '{ "name": "fixture" }\n');
    // A package from node_modules, as a workspace package sees it (pnpm links each package's own dependencies).
    fs.symlinkSync(path.join(REPO_ROOT, 'deploy', 'local', 'node_modules'), path.join(root, 'node_modules'));
    fs.writeFileSync(path.join(root, 'src', 'places.ts'), "export const greeting: string = 'first';\n");
    fs.writeFileSync(
      path.join(root, 'src', 'main.ts'),
      [
        "import { MongoClient } from 'mongodb';",
        "import { greeting } from './places';",
        'const answer = { dir: __dirname, file: __filename, sibling: require.resolve(\'./places\'), pkg: require.resolve(\'mongodb\'), client: typeof MongoClient, greeting };',
        'process.stdout.write(JSON.stringify(answer));',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('runs as its sources would, from their own folder, with the package Node resolves for them', async () => {
    await buildApps(root, targets);
    expect(run()).toEqual({
      dir: path.join(root, 'src'),
      file: path.join(root, 'src', 'main.ts'),
      sibling: path.join(root, 'src', 'places.ts'),
      pkg: createRequire(path.join(root, 'src', 'main.ts')).resolve('mongodb'),
      client: 'function',
      greeting: 'first',
    });
    // mongodb is required from its own files, not copied in.
    expect(fs.statSync(bundle).size).toBeLessThan(20_000);
  });

  it('is stale once a source changes or a bundle is missing, and current after a rebuild', async () => {
    await buildApps(root, targets);
    expect(staleReason(root, targets)).toBeUndefined();
    fs.writeFileSync(path.join(root, 'src', 'places.ts'), "export const greeting: string = 'second';\n");
    expect(staleReason(root, targets)).toBe('sources changed');
    await buildApps(root, targets);
    expect(staleReason(root, targets)).toBeUndefined();
    expect(run().greeting).toBe('second');
    fs.rmSync(bundle);
    expect(staleReason(root, targets)).toBe('main has no bundle');
  });
});

describe("the image's launcher", () => {
  it('starts the compiled bundle of the entry compose and k8s name', async () => {
    await ensureAppBuild({ log: () => {} });
    // Node's module log names each file it loads; without its environment the codec server then refuses to start.
    const out = spawnSync(process.execPath, ['deploy/image/run.cjs', 'packages/platform/src/codec-server-main.ts'], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_DEBUG: 'module' }, maxBuffer: 64 << 20 });
    expect(out.stderr).toContain(`load "${path.join(REPO_ROOT, 'dist', 'apps', 'codec-server.js')}"`);
    expect(out.stderr).not.toContain('codec-server-main.ts" for module');
    expect(out.status).not.toBe(0);
    // The refusal comes from the bundle, its stack source-mapped to the TypeScript.
    expect(out.stdout).toContain('invalid configuration');
    expect(out.stdout).toContain('packages/platform/src/codec-server-main.ts:');
  });
});
