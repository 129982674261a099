#!/usr/bin/env node
// From a fresh clone to a running stack or a test run, with no global installs:
//   node scripts/bootstrap.mjs start   → pnpm, dependencies, Go-built tools (Jaeger too), compiled processes, then `lifeline up` in the foreground
//   node scripts/bootstrap.mjs test    → pnpm, dependencies, tools, compiled processes, then tsc, eslint (if configured), jest --runInBand
//   node scripts/bootstrap.mjs bench   → pnpm, dependencies, tools, compiled processes, then the benchmark harness (bench/run.ts) with the given args
// Plain Node ESM without dependencies: it runs before node_modules exists.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '10.34.8';
const PNPM_DIR = path.join(ROOT, '.tools', 'pnpm');
const PNPM = path.join(PNPM_DIR, 'node_modules', '.bin', 'pnpm');
const BIN = (name) => path.join(ROOT, 'node_modules', '.bin', name);

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`))));
  });
}

async function step(name, fn) {
  const started = Date.now();
  process.stderr.write(`▶ ${name}\n`);
  const result = await fn();
  process.stderr.write(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return result;
}

function pnpmInstalled() {
  if (!fs.existsSync(PNPM)) return false;
  const pkg = path.join(PNPM_DIR, 'node_modules', 'pnpm', 'package.json');
  return fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).version === PNPM_VERSION;
}

async function ensurePnpm() {
  if (pnpmInstalled()) return;
  fs.mkdirSync(PNPM_DIR, { recursive: true });
  fs.writeFileSync(path.join(PNPM_DIR, 'package.json'), JSON.stringify({ name: 'lifeline-tools-pnpm', private: true, dependencies: { pnpm: `^${PNPM_VERSION}` } }));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await run(npm, ['install', '--prefix', PNPM_DIR, '--no-audit', '--no-fund', `pnpm@${PNPM_VERSION}`]);
}

function dependenciesStale() {
  const marker = path.join(ROOT, 'node_modules', '.modules.yaml');
  if (!fs.existsSync(marker)) return true;
  return fs.statSync(path.join(ROOT, 'pnpm-lock.yaml')).mtimeMs > fs.statSync(marker).mtimeMs;
}

async function ensureDependencies() {
  if (!dependenciesStale()) return 'up to date';
  await run(PNPM, ['install', '--frozen-lockfile']);
  return 'installed';
}

/** Builds missing Go tools through @lifeline/local-stack's ensureTools (the one place that knows versions and recipes); its tools module alone loads fast. */
const ensureTools = () =>
  run(process.execPath, ['--import', 'tsx', '-e', "require('@lifeline/local-stack/tools').ensureTools().catch((e) => { console.error(e.message); process.exit(1); })"]);

/**
 * Compiles every Lifeline process to JavaScript once (deploy/local/src/build.ts: dist/apps, rebuilt only when a source
 * changed), so no process compiles its TypeScript at start; the stack checks the build again before it starts any.
 */
const buildApps = () => run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'deploy', 'local', 'src', 'build.ts')]);

const CHROMIUM = '/usr/bin/chromium';

/** Whether a command exists on the PATH. */
const onPath = (name) => (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, name)));

/**
 * The console's browser test drives Debian's Chromium (playwright-core never downloads a browser). Install the
 * package when it is missing; without apt, say so — the browser test then fails with the same message.
 */
async function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return `${CHROMIUM} present`;
  if (!onPath('apt-get')) {
    process.stderr.write(`! ${CHROMIUM} is missing and apt-get is not available: install Chromium yourself (or set LIFELINE_CHROMIUM); the console browser test will fail until then\n`);
    return 'missing';
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sudo = typeof process.getuid === 'function' && process.getuid() !== 0 && onPath('sudo') ? ['sudo', '-E'] : [];
  const apt = (...args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), 'apt-get', ...args], { env }) : run('apt-get', args, { env }));
  try {
    await apt('update', '-q');
    await apt('install', '-y', '-q', '--no-install-recommends', 'chromium');
  } catch (err) {
    process.stderr.write(`! could not install chromium with apt-get (${err.message}); the console browser test will fail until ${CHROMIUM} exists\n`);
    return 'missing';
  }
  return 'installed';
}

/** Runs the child in the foreground, forwarding SIGINT/SIGTERM so it can stop what it started. */
function foreground(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit' });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'start' && command !== 'test' && command !== 'bench') {
    process.stderr.write('usage: node scripts/bootstrap.mjs start | test [jest args…] | bench [--quick] [--only <figure>] [--reuse]\n');
    return 2;
  }
  await step(`pnpm ${PNPM_VERSION}`, ensurePnpm);
  await step('dependencies (pnpm install --frozen-lockfile)', ensureDependencies);
  await step('infrastructure tools (nats-server, temporal, ferretdb, jaeger)', ensureTools);
  await step('compiled processes (esbuild → dist/apps)', buildApps);
  if (command === 'start') {
    process.stderr.write('▶ lifeline up\n');
    return foreground(process.execPath, [path.join(ROOT, 'cli', 'bin', 'lifeline.js'), 'up']);
  }
  if (command === 'bench') {
    process.stderr.write(`▶ bench${rest.length ? ` ${rest.join(' ')}` : ''}\n`);
    return foreground(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), ...rest]);
  }
  await step('browser for the console test (Debian chromium)', ensureChromium);
  await step('typecheck (tsc -p tsconfig.json)', () => run(BIN('tsc'), ['-p', 'tsconfig.json']));
  if (fs.readdirSync(ROOT).some((f) => f.startsWith('eslint.config.'))) await step('lint (eslint .)', () => run(BIN('eslint'), ['.']));
  // The unit and integration projects; the city-wide drill has a project of its own that `npm test` leaves out (jest.config.js).
  const jestArgs = ['--runInBand', ...(rest.includes('--selectProjects') ? [] : ['--selectProjects', 'unit', 'integration']), ...rest];
  await step(`tests (jest ${jestArgs.join(' ')})`, () => run(BIN('jest'), jestArgs));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`✘ ${err.message}\n`);
    process.exit(1);
  },
);
