import { spawn } from 'node:child_process';
import path from 'node:path';
import { readStackState } from '@lifeline/local-stack';
import { pollUntil } from '@lifeline/testkit';

const LIFELINE = path.resolve(__dirname, '../bin/lifeline.js');

describe('lifeline up in the foreground', () => {
  it('stays up until Ctrl-C, then stops only what it started (here: nothing, all was reused)', async () => {
    const child = spawn(process.execPath, [LIFELINE, 'up'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    // A timeout fails with what the command printed so far.
    await pollUntil('lifeline up says it waits for Ctrl-C', () => output, { timeoutMs: 60_000, everyMs: 200, until: (printed) => printed.includes('Ctrl-C') });
    await new Promise((r) => setTimeout(r, 2000));
    expect(child.exitCode).toBeNull();

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const running = (await readStackState()).filter((c) => c.running).map((c) => c.name);
    expect(running).toEqual(expect.arrayContaining(['nats', 'temporal', 'ferretdb', 'supplies', 'command-center']));
  });
});
