import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A process the stack may start. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The port it listens on, if any (recorded for `status`). */
  port?: number;
  /** Text its command line must contain for a pidfile to still be ours (default: the command's file name). */
  marker?: string;
}

/** What a pidfile records about a process we started. */
export interface PidRecord {
  name: string;
  pid: number;
  command: string;
  marker: string;
  port?: number;
  startedAt: string;
}

export const runDir = (dataDir: string) => path.join(dataDir, 'run');
export const logsDir = (dataDir: string) => path.join(dataDir, 'logs');
export const pidFile = (dataDir: string, name: string) => path.join(runDir(dataDir), `${name}.pid`);
export const logFile = (dataDir: string, name: string) => path.join(logsDir(dataDir), `${name}.log`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a pid exists (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pidfile of `name`, if any (the first line is the pid; a JSON line follows with details). */
export function readPidRecord(dataDir: string, name: string): PidRecord | undefined {
  const file = pidFile(dataDir, name);
  if (!fs.existsSync(file)) return undefined;
  const [pidLine, json] = fs.readFileSync(file, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const details = json ? (JSON.parse(json) as Omit<PidRecord, 'pid'>) : { name, command: '', marker: '', startedAt: '' };
  return { ...details, pid };
}

/**
 * Whether the recorded process is still the one we started: alive, and (where /proc exists) running the recorded
 * command — so a recycled pid is never signalled.
 */
export function isRecordedRunning(rec: PidRecord): boolean {
  if (!isAlive(rec.pid)) return false;
  const cmdline = `/proc/${rec.pid}/cmdline`;
  if (!rec.marker || !fs.existsSync('/proc/self/cmdline')) return true;
  try {
    return fs.readFileSync(cmdline, 'utf8').includes(rec.marker);
  } catch {
    return false;
  }
}

/** Starts a detached process (own process group) logging to `<dataDir>/logs/<name>.log`, and writes its pidfile. */
export function startDetached(dataDir: string, spec: ProcessSpec): PidRecord {
  fs.mkdirSync(runDir(dataDir), { recursive: true });
  fs.mkdirSync(logsDir(dataDir), { recursive: true });
  const log = fs.openSync(logFile(dataDir, spec.name), 'a');
  fs.writeSync(log, `\n=== ${new Date().toISOString()} ${spec.command} ${spec.args.join(' ')}\n`);
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  child.unref();
  const marker = spec.marker ?? path.basename(spec.command);
  const rec: PidRecord = { name: spec.name, pid: child.pid, command: spec.command, marker, startedAt: new Date().toISOString() };
  if (spec.port !== undefined) rec.port = spec.port;
  const { pid, ...details } = rec;
  fs.writeFileSync(pidFile(dataDir, spec.name), `${pid}\n${JSON.stringify(details)}\n`);
  return rec;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Stops the process recorded in `<dataDir>/run/<name>.pid`: SIGTERM to its process group, SIGKILL after `graceMs`.
 * Removes the pidfile. Returns whether a running process was stopped.
 */
export async function stopRecorded(dataDir: string, name: string, graceMs = 10_000): Promise<boolean> {
  const rec = readPidRecord(dataDir, name);
  if (!rec) return false;
  const running = isRecordedRunning(rec);
  if (running) {
    signal(rec.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(rec.pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(rec.pid)) signal(rec.pid, 'SIGKILL');
    for (let i = 0; i < 100 && isAlive(rec.pid); i++) await sleep(50);
  }
  fs.rmSync(pidFile(dataDir, name), { force: true });
  return running;
}

/** Whether something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  if (!fs.existsSync(file)) return '(no log)';
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Polls `check` until it returns true. Fails early when `rec` (the process being waited for) exits, with the tail of
 * its log; fails after `timeoutMs` otherwise.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; rec?: PidRecord; dataDir?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const logOf = () => (opts.rec && opts.dataDir ? `\n--- ${logFile(opts.dataDir, opts.rec.name)} ---\n${tail(logFile(opts.dataDir, opts.rec.name))}` : '');
  for (;;) {
    if (await check().catch(() => false)) return;
    if (opts.rec && !isAlive(opts.rec.pid)) throw new Error(`${what}: ${opts.rec.name} (pid ${opts.rec.pid}) exited before it was ready${logOf()}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${opts.timeoutMs ?? 60_000} ms${logOf()}`);
    await sleep(opts.intervalMs ?? 250);
  }
}
