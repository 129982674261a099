import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Collection, Document } from 'mongodb';
import type { AuditEntry, AuditVerifyAnswer } from '@lifeline/contracts/http/command-center';
import { databaseOf, isSealed } from '@lifeline/platform';
import { env, http, tokenFor, withMongo } from '@lifeline/testkit';

/**
 * The audit log's hash chain through the real stack: actions through the command-center append entries, and both
 * `lifeline audit verify` and `GET /v1/audit/verify` pass an intact chain and name an entry edited, deleted or
 * inserted directly in the store (each tampering is undone before the next, so the stack's chain stays whole).
 */
jest.setTimeout(120_000);

const LIFELINE = path.resolve(__dirname, '../../../cli/bin/lifeline.js');
const cli = (args: string[]) =>
  new Promise<{ code: number; answer: AuditVerifyAnswer; stderr: string }>((resolve) => {
    execFile(process.execPath, [LIFELINE, ...args], { env: process.env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, answer: JSON.parse(stdout || 'null') as AuditVerifyAnswer, stderr }),
    );
  });
const apiVerify = async () => (await http<AuditVerifyAnswer>('GET', '/v1/audit/verify', 'admin')).body;

/** An auditor whose token subject is personal data (a phone number): it must not reach the store in clear. */
const PHONE = `139${String(Date.now()).slice(-8)}`;
const auditorToken = tokenFor('auditor', `auditor-${PHONE}`);
const target = `audit-chain-${randomUUID().slice(0, 8)}`;

/** Read the log about `target` as that auditor; each read is itself audited under `target`. */
async function readAbout(): Promise<AuditEntry[]> {
  const res = await fetch(`${env.http}/v1/audit?target=${target}`, { headers: { authorization: `Bearer ${auditorToken}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: AuditEntry[] }).entries;
}

const inStore = <T>(fn: (audit: Collection<Document>) => Promise<T>) => withMongo((client) => fn(client.db(databaseOf('command-center')).collection('audit')));

let mine: AuditEntry[];
beforeAll(async () => {
  for (let i = 0; i < 3; i++) await readAbout();
  mine = (await readAbout()).slice().reverse();
});

describe('the audit hash chain', () => {
  it('appends each action as a chained entry, with the subject and detail sealed in the store', async () => {
    expect(mine.map((e) => [e.action, e.subject])).toEqual(Array(3).fill(['audit.read', `auditor-${PHONE}`]));
    expect(mine.map((e) => e.seq! - mine[0]!.seq!)).toEqual([0, 1, 2]);
    expect(mine[1]!.prevId).toBe(mine[0]!.id);
    expect(mine[1]!.prevHash).toBe(mine[0]!.hash);
    const stored = await inStore((audit) => audit.findOne({ _id: mine[1]!.id as never }));
    expect(JSON.stringify(stored)).not.toContain(PHONE);
    expect([isSealed(String(stored!.subject)), isSealed(String(stored!.detail))]).toEqual([true, true]);
  });

  it('verify passes the intact chain (CLI exits 0, the API agrees)', async () => {
    const intact = await cli(['audit', 'verify']);
    expect([intact.code, intact.answer.ok, intact.answer.broken]).toEqual([0, true, null]);
    expect(intact.answer.head!.seq).toBeGreaterThanOrEqual(mine[2]!.seq!);
    expect(intact.answer.entries).toBeGreaterThanOrEqual(intact.answer.head!.seq);
    expect((await apiVerify()).ok).toBe(true);
  });

  it('an entry edited in the store is named by seq and id, and verify exits 1', async () => {
    const edited = mine[1]!;
    await inStore((audit) => audit.updateOne({ _id: edited.id as never }, { $set: { action: 'audit.read.nothing-to-see' } }));
    try {
      const tampered = await cli(['audit', 'verify']);
      expect(tampered.code).toBe(1);
      expect(tampered.answer.broken).toEqual({ kind: 'edited', seq: edited.seq, id: edited.id, reason: 'hash does not match the entry’s contents' });
      expect(tampered.stderr).toContain(`broken: edited entry seq ${edited.seq} id ${edited.id}`);
      expect((await apiVerify()).broken).toEqual(tampered.answer.broken);
    } finally {
      await inStore((audit) => audit.updateOne({ _id: edited.id as never }, { $set: { action: edited.action } }));
    }
    expect((await cli(['audit', 'verify'])).code).toBe(0);
  });

  it('an entry deleted from the store is named by seq and id, and verify exits 1', async () => {
    const deleted = mine[1]!;
    const original = await inStore((audit) => audit.findOne({ _id: deleted.id as never }));
    await inStore((audit) => audit.deleteOne({ _id: deleted.id as never }));
    try {
      const tampered = await cli(['audit', 'verify']);
      expect(tampered.code).toBe(1);
      expect(tampered.answer.broken).toMatchObject({ kind: 'deleted', seq: deleted.seq, id: deleted.id });
      expect((await apiVerify()).broken).toEqual(tampered.answer.broken);
    } finally {
      await inStore((audit) => audit.insertOne(original!));
    }
    expect((await cli(['audit', 'verify'])).code).toBe(0);
  });

  it('an entry slipped into the store without a place in the chain is named as inserted', async () => {
    const id = `forged-${randomUUID()}`;
    await inStore((audit) => audit.insertOne({ _id: id as never, at: new Date(), subject: 'someone', role: 'admin', action: 'incident.command.stand-down', target }));
    try {
      const tampered = await cli(['audit', 'verify']);
      expect(tampered.code).toBe(1);
      expect(tampered.answer.broken).toMatchObject({ kind: 'inserted', seq: null, id });
    } finally {
      await inStore((audit) => audit.deleteOne({ _id: id as never }));
    }
    expect((await cli(['audit', 'verify'])).code).toBe(0);
  });

  it('only an admin may verify; bad queries get a structured refusal', async () => {
    expect((await http('GET', '/v1/audit/verify', 'auditor')).status).toBe(403);
    const bad = await http<{ error: { code: string } }>('GET', '/v1/audit/verify?head=12', 'admin');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
    const unknown = await http<{ error: { code: string } }>('GET', '/v1/audit/verify?x=1', 'admin');
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'invalid_request']);
  });
});
