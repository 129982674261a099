import { execFile } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { incentives } from '@lifeline/contracts';
import { call, connectMongo, connectNats, loadConfig, ServiceEnv, type NatsConnection } from '@lifeline/platform';

/** `lifeline ledger verify` names an entry edited directly in the store and exits 1; bad flags get a structured error. */
const LIFELINE = path.resolve(__dirname, '../../../cli/bin/lifeline.js');
const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [LIFELINE, ...args], { env: process.env, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });

let nc: NatsConnection;
let db: Connection;
beforeAll(async () => {
  const config = loadConfig(ServiceEnv);
  nc = await connectNats(config, 'ledger-cli-test');
  db = await connectMongo(config.MONGO_URL, 'lifeline_incentives');
});
afterAll(async () => {
  await db?.close();
  await nc?.drain();
});

describe('lifeline ledger verify', () => {
  it('passes an intact chain, then names the entry edited in the store and exits 1', async () => {
    const participantId = `p-cli-${randomUUID().slice(0, 8)}`;
    const entries = [];
    for (let i = 0; i < 3; i++) {
      entries.push(await call(nc, incentives.manualAward, { idempotencyKey: `cli-${participantId}-${i}`, participantId, participantType: 'resident-volunteer', points: 10, reason: 'ledger CLI verification test', operatorId: 'op-cli' }));
    }
    const intact = await run(['ledger', 'verify', '--participant', participantId]);
    expect(intact.code).toBe(0);
    expect(JSON.parse(intact.stdout)).toEqual({ ok: true, participants: 1, entries: 3, broken: [] });

    await db.collection('ledger_entries').updateOne({ _id: entries[2]!.entryId as never }, { $set: { participantId, points: 1000, balance: 1020 } });
    const tampered = await run(['ledger', 'verify', '--participant', participantId]);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout).broken).toEqual([{ participantId, seq: 3, entryId: entries[2]!.entryId, reason: 'hash does not match the entry’s contents' }]);
    expect(tampered.stderr).toContain(`broken: participant ${participantId} seq 3 entry ${entries[2]!.entryId}`);

    const everyone = await run(['ledger', 'verify']);
    expect(everyone.code).toBe(1);
    expect(JSON.parse(everyone.stdout).broken).toContainEqual({ participantId, seq: 3, entryId: entries[2]!.entryId, reason: 'hash does not match the entry’s contents' });
  });

  it('answers bad flags with a structured error', async () => {
    const bad = await run(['ledger', 'verify', '--participant', 'Not A Slug']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: { code: 'invalid_request', details: [{ flag: '--participant' }] } });
  });
});
