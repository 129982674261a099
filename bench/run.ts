/**
 * `npm run bench [-- --quick] [-- --only <figure>[,<figure>…]] [-- --reuse] [-- --results <file>]`
 *
 * Starts its own local stack (data dir `.data-bench`, ports of BENCH_STACK_ENV) or, with `--reuse`, the running one,
 * runs every figure of the issue beside its naive baseline, prints one table and writes it to bench/RESULTS.md.
 * A figure that fails shows `error: <message>` in its row and the run goes on. Not a test: nothing here runs in
 * `npm test` (bench/test holds the unit tests of its pure parts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '@lifeline/local-stack';
import { broadcast1m, broadcast50k } from './figures/broadcast';
import { citywide } from './figures/citywide';
import { incidentStarts } from './figures/incident-starts';
import { reservations } from './figures/reservations';
import { openContext, type BenchContext, type CitySize } from './lib/context';
import type { Figure } from './lib/figure';
import { loadNow, machine } from './lib/machine';
import { renderReport, type FigureRun } from './lib/report';
import { reuseStack, startOwnStack, BENCH_STACK_ENV, type BenchStack } from './lib/stack';
import { resultsTable, type Row } from './lib/table';

/** In this order: the light figures first, the ones that load a million residents last. */
export const FIGURES: readonly Figure[] = [reservations, incidentStarts, broadcast50k, broadcast1m, citywide];

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** Bad flags: said in one line, without a stack. */
class UsageError extends Error {}

function selected(only: string[]): Figure[] {
  const wanted = only.flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
  if (wanted.length === 0) return [...FIGURES];
  const unknown = wanted.filter((w) => !FIGURES.some((f) => f.id.startsWith(w)));
  if (unknown.length) throw new UsageError(`unknown figure(s) ${unknown.join(', ')}; figures: ${FIGURES.map((f) => f.id).join(', ')}`);
  return FIGURES.filter((f) => wanted.some((w) => f.id.startsWith(w)));
}

/** One stack at a time; a full run gives the figures that load a million residents a fresh one (see Figure.ownStack). */
class StackSession {
  private stack?: BenchStack;
  private ctx?: BenchContext & { close(): Promise<void> };
  private used = false;
  private lastOwn = false;
  private stopping?: Promise<void>;
  /** Stacks started so far: the runs table says which figures shared one. */
  private started = 0;

  constructor(private readonly opts: { quick: boolean; reuse: boolean; city?: CitySize | undefined }) {}

  get label(): string {
    return this.opts.reuse ? 'reused' : `own #${this.started} (${BENCH_STACK_ENV.LIFELINE_DATA_DIR})`;
  }

  async contextFor(figure: Figure): Promise<BenchContext> {
    const isolate = !this.opts.quick && !this.opts.reuse && (figure.ownStack || this.lastOwn);
    if (this.ctx && !(isolate && this.used)) return this.mark(figure, this.ctx);
    await this.stop();
    log(this.opts.reuse ? 'reusing the running stack' : `starting a fresh stack in ${BENCH_STACK_ENV.LIFELINE_DATA_DIR}${this.used ? ` for ${figure.id}` : ''}`);
    this.started++;
    this.stack = this.opts.reuse ? await reuseStack(log) : await startOwnStack(log);
    this.ctx = await openContext(this.stack.endpoints, this.opts.quick, (line) => log(`${figure.id}: ${line}`), this.opts.city);
    this.used = false;
    return this.mark(figure, this.ctx);
  }

  private mark(figure: Figure, ctx: BenchContext & { close(): Promise<void> }): BenchContext {
    this.used = true;
    this.lastOwn = !!figure.ownStack;
    return { ...ctx, log: (line) => log(`${figure.id}: ${line}`) };
  }

  /** Stops the current stack; a second call (a signal during the run's own stop) waits for the same stop. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow().finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    await this.ctx?.close();
    this.ctx = undefined;
    const stack = this.stack;
    this.stack = undefined;
    if (stack) {
      log(stack.reused ? 'stopping only what the bench started of the reused stack' : 'stopping the bench stack');
      await stack.stop();
    }
  }
}

/** The command line, or a UsageError saying what is wrong and how it is used. */
function flags() {
  try {
    return parseArgs({
      options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true, default: [] }, reuse: { type: 'boolean', default: false }, results: { type: 'string' }, city: { type: 'string' } },
    }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nusage: npm run bench [-- --quick] [-- --only <figure>[,<figure>…]] [-- --reuse] [-- --results <file>] [-- --city <communities>x<residents>]`);
  }
}

/** `--city 200x200000`: the city-wide figure's city, for a size between the quick and the full run. */
function cityFlag(value: string): CitySize {
  const m = /^(\d+)x(\d+)$/.exec(value);
  const size = m ? { communities: Number(m[1]), residents: Number(m[2]) } : undefined;
  if (!size || size.communities < 1 || size.residents < size.communities) throw new UsageError(`--city takes <communities>x<residents> with at least one resident per community (got "${value}")`);
  return size;
}

const message = (err: unknown) => ((err as Error)?.message ?? String(err)).split('\n')[0]!.slice(0, 300);

async function main(): Promise<number> {
  const values = flags();
  const figures = selected(values.only);
  const quick = values.quick;
  const city = values.city === undefined ? undefined : cityFlag(values.city);
  const session = new StackSession({ quick, reuse: values.reuse, city });
  // A signal ends the figure under way (its clients close with the stack), skips the rest and stops the stack.
  let interrupted: string | undefined;
  const stopOnSignal = (signal: string) => {
    interrupted = signal;
    log(`${signal}: stopping the stack; remaining figures are skipped`);
    void session.stop();
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  const about = machine(REPO_ROOT);
  const rows: Row[] = [];
  const runs: FigureRun[] = [];
  try {
    for (const figure of figures) {
      if (interrupted) {
        rows.push({ figure: figure.title, metric: 'all', unit: '', better: 'higher', quick, error: `not run (${interrupted})` });
        continue;
      }
      const loadBefore = loadNow();
      const startedAt = new Date().toISOString();
      const t = performance.now();
      log(`▶ ${figure.title} (load ${loadBefore})`);
      try {
        const ctx = await session.contextFor(figure);
        rows.push(...(await figure.run(ctx)));
      } catch (err) {
        log(`✘ ${figure.title}: ${(err as Error)?.stack ?? err}`);
        rows.push({ figure: figure.title, metric: 'all', unit: '', better: 'higher', quick, error: message(err) });
      }
      const run = { title: figure.title, startedAt, seconds: (performance.now() - t) / 1000, loadBefore, loadAfter: loadNow(), stack: session.label };
      runs.push(run);
      log(`■ ${figure.title}: ${run.seconds.toFixed(0)} s (load ${run.loadAfter})`);
    }
  } finally {
    await session.stop();
  }

  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const text = renderReport({ command, quick, machine: about, rows, runs });
  process.stdout.write(`\n${resultsTable(rows)}\n`);
  const file = path.resolve(REPO_ROOT, values.results ?? 'bench/RESULTS.md');
  fs.writeFileSync(file, text);
  log(`results written to ${path.relative(REPO_ROOT, file)}`);
  if (interrupted) return 130;
  return rows.some((r) => r.error !== undefined) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`✘ ${err instanceof UsageError ? err.message : ((err as Error)?.stack ?? err)}`);
    process.exit(2);
  },
);
