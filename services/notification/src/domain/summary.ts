import type { notificationContract } from '@lifeline/contracts';

/** The figures of one broadcast job that a summary adds up. */
export interface JobFigures {
  communityId: string;
  total: number;
  sent: number;
  failed: number;
}

/** Notification figures for an incident: broadcast totals overall and per community, plus direct messages. */
export function summarise(incidentId: string, jobs: readonly JobFigures[], direct: number): notificationContract.NotificationSummary {
  const byCommunity: Record<string, { total: number; sent: number }> = {};
  let total = 0;
  let sent = 0;
  let failed = 0;
  for (const job of jobs) {
    total += job.total;
    sent += job.sent;
    failed += job.failed;
    const c = (byCommunity[job.communityId] ??= { total: 0, sent: 0 });
    c.total += job.total;
    c.sent += job.sent;
  }
  return { incidentId, jobs: jobs.length, total, sent, failed, direct, byCommunity };
}
