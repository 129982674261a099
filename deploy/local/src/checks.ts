import { execFile } from 'node:child_process';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';

/** Readiness and liveness probes used by both providers and by `status`. */

/** Connects to NATS as a user; the caller closes the connection. */
export function natsConnect(url: string, user: string, pass: string, name = 'lifeline-local-stack'): Promise<NatsConnection> {
  return connect({ servers: url, user, pass, name, timeout: 2000, maxReconnectAttempts: 0 });
}

/** NATS accepts this user and round-trips a flush. */
export async function natsAccepts(url: string, user: string, pass: string): Promise<boolean> {
  const nc = await natsConnect(url, user, pass);
  try {
    await nc.flush();
    return true;
  } finally {
    await nc.close();
  }
}

/** A NATS services-framework service answers `$SRV.PING.<name>`. */
export async function serviceAnswers(nc: NatsConnection, name: string): Promise<boolean> {
  const reply = await nc.request(`$SRV.PING.${name}`, undefined, { timeout: 1000 });
  return (JSON.parse(new TextDecoder().decode(reply.data)) as { name?: string }).name === name;
}

/**
 * A NATS connection authenticated as `user` is open (monitoring endpoint `/connz?auth=true`), opened at or after
 * `since` when given: a process killed a moment ago can still be listed, so an older connection proves nothing.
 */
export async function natsUserConnected(monitorUrl: string, user: string, since?: Date): Promise<boolean> {
  const res = await fetch(`${monitorUrl}/connz?auth=true&limit=4096`, { signal: AbortSignal.timeout(1000) });
  const body = (await res.json()) as { connections?: { authorized_user?: string; start?: string }[] };
  return (body.connections ?? []).some((c) => c.authorized_user === user && (!since || Date.parse(c.start ?? '') >= since.getTime()));
}

/** `temporal operator cluster health` reports SERVING. */
export function temporalServing(temporalBin: string, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(temporalBin, ['operator', 'cluster', 'health', '--address', address, '--command-timeout', '2s'], { timeout: 5000 }, (err, stdout) =>
      resolve(!err && stdout.includes('SERVING')),
    );
  });
}

/**
 * A worker polls `taskQueue`: a poller whose identity is `<pid>@…` (the SDK's default identity) or that polled after
 * `since` (Temporal remembers pollers of dead workers for minutes, so an old poller proves nothing).
 */
export async function workerPolling(address: string, namespace: string, taskQueue: string, pid: number, since: Date): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
    return (pollers ?? []).some((p) => {
      const seconds = Number(p.lastAccessTime?.seconds ?? 0);
      return p.identity?.startsWith(`${pid}@`) || seconds * 1000 >= since.getTime();
    });
  } finally {
    await connection.close();
  }
}

/** The MongoDB-compatible store answers `ping`. */
export async function mongoPing(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 });
  try {
    await client.connect();
    const res = await client.db('admin').command({ ping: 1 });
    return res.ok === 1;
  } finally {
    await client.close();
  }
}

/** An HTTP GET answers 200. */
export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return res.status === 200;
}
