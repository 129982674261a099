import type { notificationContract } from '@lifeline/contracts';
import type { ChannelTally } from './sheet';
import { addChannels } from './tally';
import { median } from './replies';

/** The figures of one broadcast job that a summary adds up. */
export interface JobFigures {
  communityId: string;
  total: number;
  sent: number;
  failed: number;
  duplicatesSkipped?: number;
  frequencyCapped?: number;
  byChannel?: ChannelTally;
  timeToReach?: { p50: number; p90: number; p100: number };
}

/** What the after-action review reads beyond the broadcasts themselves. */
export interface EngagementFigures {
  replies: readonly { kind: string }[];
  cases: readonly { status: string; openedAt: Date; closedAt?: Date }[];
  doorKnocks: number;
  bulletins: number;
}

const NO_ENGAGEMENT: EngagementFigures = { replies: [], cases: [], doorKnocks: 0, bulletins: 0 };

/** The slowest job's time to reach each share (an incident reaches its residents when its slowest community does). */
function slowest(jobs: readonly JobFigures[]): { p50: number; p90: number; p100: number } | undefined {
  const timed = jobs.map((j) => j.timeToReach).filter((t): t is NonNullable<typeof t> => t !== undefined);
  if (timed.length === 0) return undefined;
  return { p50: Math.max(...timed.map((t) => t.p50)), p90: Math.max(...timed.map((t) => t.p90)), p100: Math.max(...timed.map((t) => t.p100)) };
}

/** Notification figures for an incident: broadcast totals overall and per community, direct messages, replies and cases. */
export function summarise(incidentId: string, jobs: readonly JobFigures[], direct: number, engagement: EngagementFigures = NO_ENGAGEMENT): notificationContract.NotificationSummary {
  const byCommunity: Record<string, { total: number; sent: number }> = {};
  const byChannel: ChannelTally = {};
  let total = 0;
  let sent = 0;
  let failed = 0;
  let duplicatesSuppressed = 0;
  let frequencyCapped = 0;
  for (const job of jobs) {
    total += job.total;
    sent += job.sent;
    failed += job.failed;
    duplicatesSuppressed += job.duplicatesSkipped ?? 0;
    frequencyCapped += job.frequencyCapped ?? 0;
    addChannels(byChannel, job.byChannel);
    const c = (byCommunity[job.communityId] ??= { total: 0, sent: 0 });
    c.total += job.total;
    c.sent += job.sent;
  }
  const repliesByKind: Record<string, number> = {};
  for (const r of engagement.replies) repliesByKind[r.kind] = (repliesByKind[r.kind] ?? 0) + 1;
  const closed = engagement.cases.filter((c) => c.status === 'closed' && c.closedAt);
  const medianSecondsToClose = median(closed.map((c) => (c.closedAt!.getTime() - c.openedAt.getTime()) / 1000));
  const reach = slowest(jobs);
  return {
    incidentId,
    jobs: jobs.length,
    total,
    sent,
    failed,
    direct,
    byCommunity,
    ...(reach ? { timeToReach: reach } : {}),
    byChannel,
    duplicatesSuppressed,
    frequencyCapped,
    repliesByKind,
    cases: { opened: engagement.cases.length, closed: closed.length, ...(medianSecondsToClose === undefined ? {} : { medianSecondsToClose: Math.round(medianSecondsToClose * 10) / 10 }) },
    doorKnocks: engagement.doorKnocks,
    bulletins: engagement.bulletins,
  };
}
