import type { Command } from 'commander';
import { chooseProvider, readStackState, stackConfig, stopRecordedStack, type RunningStack, type StackEndpoints } from '@lifeline/local-stack';
import { seedDemoIfEmpty } from './seed';

const log = (line: string) => process.stderr.write(`[stack] ${line}\n`);

function printUrls(endpoints: StackEndpoints): void {
  console.log(
    [
      '',
      `  console + API   ${endpoints.httpUrl}`,
      `  Temporal UI     ${endpoints.temporalUiUrl} (payloads decoded by ${endpoints.codecUrl})`,
      `  NATS            ${endpoints.natsUrl} (monitoring ${endpoints.natsMonitorUrl})`,
      `  store           ${endpoints.mongoUrl}`,
      `  metrics         ${endpoints.httpUrl}/metrics and every process's own (\`lifeline status\` lists them)`,
      ...(endpoints.tracesUrl ? [`  traces          ${endpoints.tracesUrl} (Jaeger; an incident's trace: its console page, or README "Traces")`] : []),
      '',
    ].join('\n'),
  );
}

async function seed(endpoints: StackEndpoints): Promise<void> {
  const seeded = await seedDemoIfEmpty({ NATS_URL: endpoints.natsUrl, NATS_USER: 'admin', NATS_PASSWORD: endpoints.secrets.nats.admin });
  log(seeded ? 'seeded the demo city' : 'a city is already loaded; not seeding');
}

/**
 * Resolves on the first SIGINT/SIGTERM. A pending promise alone does not keep Node running, so a timer holds the
 * event loop open meanwhile — without it `up` would return at once and leave the stack running unattended.
 */
const untilSignal = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    const keepAlive = setInterval(() => {}, 1 << 30);
    const stop = (signal: NodeJS.Signals) => {
      clearInterval(keepAlive);
      resolve(signal);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });

async function up(opts: { detach?: boolean; tracing: boolean }): Promise<void> {
  if (opts.detach && process.env.LIFELINE_STACK === 'containers') throw new Error('--detach needs the local provider: containers are removed when this process exits');
  const started = Date.now();
  const env = opts.tracing ? process.env : { ...process.env, LIFELINE_TRACING: '0' };
  const stack: RunningStack = await chooseProvider(env).start({ apps: true, log });
  try {
    await seed(stack.endpoints);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  printUrls(stack.endpoints);
  if (opts.detach) {
    console.log('Running in the background; `lifeline down` stops it, `lifeline status` shows it.');
    return;
  }
  console.log('Press Ctrl-C to stop what this command started.');
  const sig = await untilSignal();
  log(`${sig}: stopping`);
  await stack.stop();
}

async function down(): Promise<void> {
  const stopped = await stopRecordedStack(stackConfig(), log);
  console.log(stopped.length > 0 ? `stopped: ${stopped.join(', ')}` : 'nothing recorded as running');
}

async function status(): Promise<void> {
  const rows = await readStackState();
  const table = rows.map((r) => ({
    component: r.name,
    pid: r.pid ? String(r.pid) : '-',
    port: r.port ? String(r.port) : '-',
    state: r.running ? (r.reachable ? 'up' : 'starting?') : r.reachable ? 'up (not ours)' : 'down',
    metrics: r.metricsUrl ?? '-',
  }));
  const widths = Object.keys(table[0] ?? {}).map((k) => Math.max(k.length, ...table.map((row) => row[k as keyof typeof row].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(['component', 'pid', 'port', 'state', 'metrics']));
  for (const row of table) console.log(line([row.component, row.pid, row.port, row.state, row.metrics]));
}

/** `lifeline up [--detach]`, `lifeline down`, `lifeline status`. */
export function registerStackCommands(program: Command): void {
  program
    .command('up')
    .description('Start NATS, Temporal, the store and every Lifeline process (reusing what already runs), seed a demo city when empty')
    .option('-d, --detach', 'leave the stack running in the background and return')
    .option('--no-tracing', 'without Jaeger (http://127.0.0.1:16686, where every process exports its spans); also LIFELINE_TRACING=0')
    .action(up);
  program.command('down').description('Stop everything `lifeline up` started (recorded in the data dir), apps first').action(down);
  program.command('status').description('Show each component: pid, port, up or down, and where its Prometheus metrics are').action(status);
}
