/** The naive path the benchmark compares against: one Temporal activity per recipient (not used in production). */
import { proxyActivities } from '@temporalio/workflow';
import type { NaiveActivities } from './naive-activities';

const { sendOne } = proxyActivities<NaiveActivities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } });

export async function naiveBroadcast(input: { incidentId: string; residentIds: string[] }): Promise<number> {
  const statuses = await Promise.all(input.residentIds.map((residentId) => sendOne({ incidentId: input.incidentId, residentId })));
  return statuses.filter((s) => s === 'sent').length;
}
