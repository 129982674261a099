import { randomUUID } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { http, waitForIncident } from '@lifeline/testkit';

/** An operator starts the bundled drill plan for one community; it must run to closed and completed. Gives its id. */
export async function runCommunityDrill(communityId: string, title: string): Promise<string> {
  const res = await http<{ incidentId: string }>(
    'POST',
    '/v1/incidents',
    'operator',
    { planId: 'community-drill', severity: 'IV', area: { communityIds: [communityId] }, title, drill: true },
    { 'idempotency-key': `drill-${randomUUID()}` },
  );
  expect(res.status).toBe(202);
  const view = await waitForIncident(res.body.incidentId, (v) => v.phase === 'closed', 200_000);
  expect(view.status).toBe('completed');
  return res.body.incidentId;
}

/**
 * Every resident the simulated gateway transmitted to for an incident step (one entry per transmission, so a resident
 * messaged twice appears twice): notification records each gateway call with the residents it reached.
 */
export async function reachedAtGateway(mongo: MongoClient, incidentId: string, stepId: string): Promise<string[]> {
  const calls = await mongo.db('lifeline_notification').collection<{ recipients: string }>('gateway_calls').find({ incidentId, stepId }, { projection: { recipients: 1 } }).toArray();
  return calls.flatMap((c) => c.recipients.split(' '));
}
