/** Starting community drills over HTTP and watching what each service recorded of them (read-only). */
import type { Area } from '@lifeline/contracts';
import type { BenchContext } from './context';

export const DRILL_PLAN = 'community-drill';
/** The plan's warn step (services/command-center/plans/community-drill.json). */
export const WARN_STEP = 'warn-residents';

export interface StartedDrill {
  incidentId: string;
  /** Epoch ms when the POST was sent and when its 202 came back. */
  sentAt: number;
  answeredAt: number;
}

/** `POST /v1/incidents` for a drill of the community-drill plan; anything but 202 is an error naming the answer. */
export async function startDrill(ctx: BenchContext, area: Area, title: string): Promise<StartedDrill> {
  const sentAt = Date.now();
  const answer = await ctx.http<{ incidentId?: string }>('POST', '/v1/incidents', 'operator', { planId: DRILL_PLAN, severity: 'IV', area, title, drill: true });
  const answeredAt = Date.now();
  if (answer.status !== 202 || !answer.body.incidentId) throw new Error(`POST /v1/incidents answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  return { incidentId: answer.body.incidentId, sentAt, answeredAt };
}

/** A broadcast job as notification records it (`broadcast_jobs`), the fields the bench reads. */
export interface WarnJob {
  incidentId: string;
  communityId: string;
  status: string;
  sent: number;
  total: number;
  createdAt: Date;
  completedAt?: Date;
  timeToReach?: { p100: number };
}

/** The incidents' warn broadcasts accepted by notification so far (one job per community and step). */
export function warnJobs(ctx: BenchContext, incidentIds: string[]): Promise<WarnJob[]> {
  const incidentId = incidentIds.length === 1 ? incidentIds[0]! : { $in: incidentIds };
  return ctx.mongo
    .db('lifeline_notification')
    .collection<WarnJob>('broadcast_jobs')
    .find({ incidentId, stepId: WARN_STEP }, { projection: { _id: 0, incidentId: 1, communityId: 1, status: 1, sent: 1, total: 1, createdAt: 1, completedAt: 1, timeToReach: 1 } })
    .toArray() as Promise<WarnJob[]>;
}

/** When a completed job's last recipient was settled: its start plus its own time to reach 100 %, else its completion. */
export const lastReachedAt = (job: WarnJob): number => (job.timeToReach ? new Date(job.createdAt).getTime() + job.timeToReach.p100 * 1000 : new Date(job.completedAt ?? job.createdAt).getTime());

/** Ends drills the figure no longer watches, so they do not load the next figure (their community runs end with them). */
export async function terminateIncidents(ctx: BenchContext, incidentIds: string[]): Promise<void> {
  await Promise.all(incidentIds.map((id) => ctx.temporal.workflow.getHandle(`incident-${id}`).terminate('bench: figure measured').catch(() => undefined)));
}
