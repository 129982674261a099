import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { loadOrCreateSecrets, stackConfig } from '@lifeline/local-stack';
import { testStack } from '../../../test/harness/env';

const stack = testStack();
const secrets = loadOrCreateSecrets(stackConfig().dataDir);
const connectAs = (user: string, pass: string) => connect({ servers: stack.natsUrl, user, pass, maxReconnectAttempts: 0, timeout: 3000 });

/** The first publish-permission violation the server reports on this connection, or undefined within `ms`. */
async function publishViolation(nc: NatsConnection, ms = 1500): Promise<PermissionViolationError | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  const watch = (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'error' && s.error instanceof PermissionViolationError && s.error.operation === 'publish') return s.error;
    }
    return undefined;
  })();
  try {
    return await Promise.race([watch, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the local stack infrastructure', () => {
  it('NATS accepts the admin user and rejects a wrong password', async () => {
    const nc = await connectAs(stack.natsUser, stack.natsPassword);
    await nc.flush();
    await nc.close();
    await expect(connectAs('admin', 'not-the-password')).rejects.toThrow(/Authorization Violation/i);
  });

  it('NATS lets supplies publish its own events but not personnel’s', async () => {
    const nc = await connectAs('supplies', secrets.nats.supplies);
    try {
      const own = publishViolation(nc);
      nc.publish('lifeline.evt.supplies.stack-test');
      await nc.flush();
      expect(await own).toBeUndefined();

      const forged = publishViolation(nc);
      nc.publish('lifeline.evt.personnel.x');
      await nc.flush();
      const violation = await forged;
      expect(violation?.subject).toBe('lifeline.evt.personnel.x');
    } finally {
      await nc.close();
    }
  });

  it('Temporal answers and knows the Lifeline search attributes', async () => {
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: stack.temporalNamespace });
      expect(customAttributes?.LifelineIncidentId).toBe(2); // KEYWORD
      expect(customAttributes?.LifelineDistrict).toBe(7); // KEYWORD_LIST
      expect(customAttributes?.LifelineDrill).toBe(5); // BOOL
    } finally {
      await connection.close();
    }
  });

  it('the store answers ping and enforces a unique index', async () => {
    const client = await new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 5000 }).connect();
    const db = client.db(`stack_test_${randomUUID().slice(0, 8)}`);
    try {
      expect((await db.command({ ping: 1 })).ok).toBe(1);
      const col = db.collection<{ key: string }>('unique_check');
      await col.createIndex({ key: 1 }, { unique: true });
      await col.insertOne({ key: 'a' });
      await expect(col.insertOne({ key: 'a' })).rejects.toMatchObject({ code: 11000, message: expect.stringContaining('E11000') });
    } finally {
      await db.dropDatabase();
      await client.close();
    }
  });

  it('the store finds a document by _id through its _id index, not a scan (FerretDB patch sqlite-id-index)', async () => {
    const client = await new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 5000 }).connect();
    const db = client.db(`stack_test_${randomUUID().slice(0, 8)}`);
    try {
      const col = db.collection<{ _id: string; n: number }>('by_id');
      await col.insertMany(Array.from({ length: 50 }, (_, n) => ({ _id: `doc-${n}`, n })));
      const explained = await db.command({ explain: { find: 'by_id', filter: { _id: 'doc-7' } } });
      expect(JSON.stringify(explained.queryPlanner)).toMatch(/USING INDEX \S+__id_/);
      // Same answers as a scan would give: a hit, a miss, an update by _id and the unique _id.
      await expect(col.findOne({ _id: 'doc-7' })).resolves.toEqual({ _id: 'doc-7', n: 7 });
      await expect(col.findOne({ _id: 'doc-none' })).resolves.toBeNull();
      await col.updateOne({ _id: 'doc-8' }, { $set: { n: -8 } });
      await expect(col.findOne({ _id: 'doc-8' })).resolves.toEqual({ _id: 'doc-8', n: -8 });
      await expect(col.insertOne({ _id: 'doc-9', n: 0 })).rejects.toMatchObject({ code: 11000 });
    } finally {
      await db.dropDatabase();
      await client.close();
    }
  });
});
