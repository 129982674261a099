/**
 * What a process's start costs, compiled or from TypeScript: on a running local stack (`lifeline up --detach`), each
 * process in turn is killed without warning (SIGKILL) and started again: with `node --import tsx <entry>` (how it ran
 * before), the same with tsx's transform cache off (the first start after a change to the sources), and from its
 * bundle in dist/apps (how the stack runs it). The time from spawn to ready (the stack's own readiness probe) is
 * printed beside the load average. deploy/local's README has the figures.
 *
 *   node --import tsx scripts/start-cost.ts [--rounds 2] [--only supplies,worker]
 *
 * The process is left running from its bundle.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BUILD_TARGETS, appComponents, codecServerComponent, ensureAppBuild, isPortOpen, loadOrCreateSecrets, localEndpoints, readStackState, stackConfig, startComponent, type Component } from '@lifeline/local-stack';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `c` run from its TypeScript through tsx; `cold`: with tsx's transform cache off, as after a change to the sources. */
function fromSource(c: Component, cold: boolean): Component {
  const entry = BUILD_TARGETS.find((t) => t.name === c.name)!.entry;
  return { ...c, spec: { ...c.spec, args: ['--import', 'tsx', entry], marker: entry, env: { ...c.spec.env, ...(cold ? { TSX_DISABLE_CACHE: '1' } : {}) } } };
}

/** SIGKILL the running process, then start `c` and time it until ready. */
async function restartTimed(c: Component, dataDir: string): Promise<number> {
  const pid = (await readStackState()).find((s) => s.name === c.name)?.pid;
  if (pid === undefined) throw new Error(`${c.name} is not running: start the stack first (lifeline up --detach)`);
  process.kill(pid, 'SIGKILL');
  while ((await readStackState()).find((s) => s.name === c.name)?.running || (c.spec.port !== undefined && (await isPortOpen(c.spec.port)))) await sleep(50);
  const started = Date.now();
  await startComponent(dataDir, c, () => {});
  return Date.now() - started;
}

async function main() {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, only: { type: 'string' } } });
  const config = stackConfig();
  await ensureAppBuild();
  const endpoints = localEndpoints(config, loadOrCreateSecrets(config.dataDir));
  const only = values.only?.split(',');
  const components = [codecServerComponent(config, endpoints), ...appComponents(config, endpoints)].filter((c) => !only || only.includes(c.name));
  for (let round = 1; round <= Number(values.rounds ?? 2); round++) {
    for (const c of components) {
      const figures: string[] = [];
      for (const [label, variant] of [['tsx', fromSource(c, false)], ['tsx uncached', fromSource(c, true)], ['compiled', c]] as const) {
        const ms = await restartTimed(variant, config.dataDir);
        figures.push(`${label} ${String(ms).padStart(6)} ms (load ${loadavg()[0]!.toFixed(2)})`);
      }
      process.stdout.write(`round ${round}  ${c.name.padEnd(15)} ${figures.join('   ')}\n`);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
