import type { MongoClient } from 'mongodb';

/**
 * Every resident the simulated gateway transmitted to for an incident step (one entry per transmission, so a resident
 * messaged twice appears twice): notification records each gateway call with the residents it reached.
 */
export async function reachedAtGateway(mongo: MongoClient, incidentId: string, stepId: string): Promise<string[]> {
  const calls = await mongo.db('lifeline_notification').collection<{ recipients: string }>('gateway_calls').find({ incidentId, stepId }, { projection: { recipients: 1 } }).toArray();
  return calls.flatMap((c) => c.recipients.split(' '));
}
