import fs from 'node:fs';
import { isPortOpen, isRecordedRunning, pidFile, readPidRecord, startDetached, stopRecorded, waitUntil, type PidRecord, type ProcessSpec } from './processes';

/** One part of the stack: how to start it and how to know it is ready. */
export interface Component {
  name: string;
  kind: 'infra' | 'app';
  spec: ProcessSpec;
  /** Protocol-level readiness. `rec` is the process we started, when we did. */
  ready(rec?: PidRecord): Promise<boolean>;
  /** Reuse something already answering that the stack did not start (default true). */
  reuseExternal?: boolean;
  timeoutMs?: number;
}

/** What starting a component did. Only `started` ones are stopped by the run that started them. */
export interface ComponentOutcome {
  name: string;
  how: 'started' | 'reused-ours' | 'reused-external';
  pid?: number;
}

type Log = (line: string) => void;

async function readyWithin(c: Component, ms: number): Promise<boolean> {
  return waitUntil(c.name, () => c.ready(), { timeoutMs: ms }).then(
    () => true,
    () => false,
  );
}

/**
 * Starts a component unless it already runs: a live pidfile of ours, or (for `reuseExternal`) something on its port
 * or answering its readiness probe, is reused and left running. Fails with the tail of its log when it dies or
 * does not become ready in time.
 */
export async function startComponent(dataDir: string, c: Component, log: Log): Promise<ComponentOutcome> {
  const port = c.spec.port;
  const previous = readPidRecord(dataDir, c.name);
  if (previous && isRecordedRunning(previous)) {
    await waitUntil(`${c.name} (pid ${previous.pid})`, () => c.ready(previous), { rec: previous, dataDir, timeoutMs: c.timeoutMs });
    log(`${c.name}: already running (pid ${previous.pid}), reused`);
    return { name: c.name, how: 'reused-ours', pid: previous.pid };
  }
  if (previous) fs.rmSync(pidFile(dataDir, c.name), { force: true });

  if (c.reuseExternal !== false) {
    if (port !== undefined && (await isPortOpen(port))) {
      if (await readyWithin(c, 10_000)) {
        log(`${c.name}: something already serves port ${port}; reusing it (not started, will not be stopped)`);
        return { name: c.name, how: 'reused-external' };
      }
      throw new Error(`${c.name}: port ${port} is in use by something that does not answer as ${c.name}; stop it or choose another port`);
    }
    if (port === undefined && (await c.ready().catch(() => false))) {
      log(`${c.name}: already answering; reusing it (not started, will not be stopped)`);
      return { name: c.name, how: 'reused-external' };
    }
  }

  const started = Date.now();
  const rec = startDetached(dataDir, c.spec);
  try {
    await waitUntil(c.name, () => c.ready(rec), { rec, dataDir, timeoutMs: c.timeoutMs ?? 60_000 });
  } catch (err) {
    await stopRecorded(dataDir, c.name, 2000);
    throw err;
  }
  log(`${c.name}: started (pid ${rec.pid}${port ? `, port ${port}` : ''}) in ${Date.now() - started} ms`);
  return { name: c.name, how: 'started', pid: rec.pid };
}

/** Stops, in reverse order, the components a run started. */
export async function stopStarted(dataDir: string, outcomes: ComponentOutcome[], log: Log): Promise<void> {
  for (const o of [...outcomes].reverse()) {
    if (o.how !== 'started') continue;
    if (await stopRecorded(dataDir, o.name)) log(`${o.name}: stopped`);
  }
}
