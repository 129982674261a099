/**
 * Activities: thin adapters from the workflows to the services over NATS (`call()` validates both ways).
 * They return compact, id-only outcomes so workflow history stays small and never holds personal data. A command's
 * outcome is also its record (contracts/src/workflow.ts): it names the step and what was asked, because a local
 * activity's history marker keeps the result and not the input, and the review reads these records.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  incentives,
  LifelineError,
  notification,
  JOBS_PER_QUERY,
  personnel,
  supplies,
  type Endpoint,
  type RequestOf,
  type ResultOf,
  type ActivityName,
  type AwardOutcome,
  type BroadcastOutcome,
  type BroadcastsOutcome,
  type ReservationOutcome,
  type SiteOutcome,
  type TaskOutcome,
} from '@lifeline/contracts';
import { call, type NatsConnection } from '@lifeline/platform';
import type { SpanFinding } from './domain/readiness';

/** Service codes worth retrying; every other code means "the same request will fail the same way". */
export const RETRYABLE_CODES = ['unavailable', 'rate_limited', 'internal'] as const;

/** Turn a service's LifelineError into an ApplicationFailure whose type is the error code (details keep it too). */
export function toApplicationFailure(err: unknown): unknown {
  if (!(err instanceof LifelineError)) return err;
  const details = { code: err.code, details: err.details };
  return (RETRYABLE_CODES as readonly string[]).includes(err.code)
    ? ApplicationFailure.retryable(err.message, err.code, details)
    : ApplicationFailure.nonRetryable(err.message, err.code, details);
}

export type { BroadcastOutcome, ReservationOutcome, SiteOutcome, TaskOutcome };

export interface CollectedFigures {
  notification?: { jobs: number; total: number; sent: number; failed: number; direct: number };
  supplies?: { reservations: number; reserved: number; issued: number; returned: number; released: number; shortfall: number };
  personnel?: { tasks: number; acknowledged: number; done: number; timedOut: number; fallbacks: number };
  incentives?: { awards: number; points: number; participants: number };
}

export interface ActivityDeps {
  nc: NatsConnection;
  /** How often awaitBroadcast first polls `notification.job` (ms); the interval doubles up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /**
   * Requests this worker keeps in flight to any one service (the rest wait their turn here, in order). A city-wide
   * fan-out otherwise queues dozens of requests at a service whose store serves them one by one; those past the
   * request timeout are retried while the service still works on them, and the retries pile on (measured: 328
   * `reserve` timeouts in 5 minutes of one drill's mobilize at 20 in flight). 0 = no limit.
   */
  maxInFlightPerService?: number;
  /** How long one request may take once sent (ms). */
  requestTimeoutMs?: number;
}

/** A FIFO limit on concurrent work (one per service). */
export function limiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (max > 0 && active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      // Hand the place straight to the next in line (active stays), or give it back.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

const reservationOutcome = (r: ResultOf<typeof supplies.reserve>, asked: Pick<ReservationOutcome, 'stepId' | 'lines' | 'communityId'> = {}): ReservationOutcome => ({
  reservationId: r.reservationId,
  status: r.status,
  units: r.lines.reduce((sum, line) => sum + line.reserved, 0),
  shortfall: r.shortfalls.reduce((sum, s) => sum + s.missing, 0),
  ...asked,
});

const taskOutcome = (t: ResultOf<typeof personnel.dispatch>, asked: Pick<TaskOutcome, 'stepId' | 'role'> = {}): TaskOutcome => ({
  taskId: t.taskId,
  ...(t.ownerId !== undefined ? { ownerId: t.ownerId } : {}),
  status: t.status,
  ...asked,
});

/** Sites after `openSites` (what was asked, `opened`) or `closeSites` (whose reply asks for nothing). */
const siteOutcome = (r: ResultOf<typeof supplies.openSite>, opened: { stepId?: string | undefined } | undefined): SiteOutcome => ({
  siteIds: r.sites.map((site) => site.siteId),
  capacity: r.capacity,
  shortfall: r.shortfall,
  kinds: r.sites.map((site) => site.kind),
  communityId: r.communityId,
  ...(opened ? { requested: r.requested } : {}),
  ...(opened?.stepId !== undefined ? { stepId: opened.stepId } : {}),
});

const jobOutcome = (j: ResultOf<typeof notification.job>, completed: boolean, asked: Pick<BroadcastOutcome, 'stepId' | 'channels' | 'groups'> = {}): BroadcastOutcome => ({
  jobId: j.jobId,
  status: j.status,
  total: j.total,
  sent: j.sent,
  failed: j.failed,
  completed,
  communityId: j.communityId,
  ...asked,
});

/** Build the activities around a NATS connection (tests inject their own fakes with the same shape). */
export function createActivities({ nc, pollIntervalMs = 1000, maxPollIntervalMs = 5000, maxInFlightPerService = 0, requestTimeoutMs = 10_000 }: ActivityDeps) {
  const lanes = new Map<string, ReturnType<typeof limiter>>();
  const laneOf = (service: string) => lanes.get(service) ?? lanes.set(service, limiter(maxInFlightPerService)).get(service)!;
  const request = async <E extends Endpoint>(ep: E, body: RequestOf<E>): Promise<ResultOf<E>> => {
    try {
      return await laneOf(ep.service)(() => call(nc, ep, body, { timeoutMs: requestTimeoutMs }));
    } catch (err) {
      throw toApplicationFailure(err);
    }
  };

  return {
    /** Expand the incident's area into districts and communities with populations (personnel resolve-area). */
    async resolveArea(body: RequestOf<typeof personnel.resolveArea>) {
      return request(personnel.resolveArea, body);
    },

    /** Start a broadcast job (drill mode reaches nobody for real). */
    async broadcast(body: RequestOf<typeof notification.broadcast>): Promise<BroadcastOutcome> {
      const job = await request(notification.broadcast, body);
      return jobOutcome(job, job.status === 'completed', { stepId: body.stepId, channels: body.channels, groups: body.audience.groups });
    },

    /** Poll a broadcast job, heartbeating, until it completes or the step's deadline (`until`, ISO time) passes. */
    async awaitBroadcast({ jobId, until }: { jobId: string; until: string }): Promise<BroadcastOutcome> {
      const ctx = Context.current();
      const deadline = Date.parse(until);
      // Back off while the job is sending: a city-wide warn has hundreds of these polling the same service.
      for (let interval = pollIntervalMs; ; interval = Math.min(interval * 2, maxPollIntervalMs)) {
        const job = await request(notification.job, { jobId });
        ctx.heartbeat({ sent: job.sent, total: job.total });
        if (job.status === 'completed') return jobOutcome(job, true);
        const left = deadline - Date.now();
        if (left <= 0) return jobOutcome(job, false);
        await ctx.sleep(Math.min(interval, left));
      }
    },

    /**
     * Poll several jobs with one request each time (a district's warnings), heartbeating, until every one completes or
     * the deadline passes; the jobs in the order asked. With one poller per district instead of one per community,
     * it backs off only to 2 s, so a phase waits less for its last job to be seen.
     */
    async awaitBroadcasts({ jobIds, until }: { jobIds: string[]; until: string }): Promise<BroadcastsOutcome> {
      const ctx = Context.current();
      const deadline = Date.parse(until);
      for (let interval = pollIntervalMs; ; interval = Math.min(interval * 2, maxPollIntervalMs, 2000)) {
        // A district of more communities than one query takes is read in several, side by side.
        const pages = Array.from({ length: Math.ceil(jobIds.length / JOBS_PER_QUERY) }, (_, i) => jobIds.slice(i * JOBS_PER_QUERY, (i + 1) * JOBS_PER_QUERY));
        const jobs = (await Promise.all(pages.map((page) => request(notification.jobs, { jobIds: page })))).flatMap((r) => r.jobs);
        ctx.heartbeat({ sent: jobs.reduce((n, j) => n + j.sent, 0), total: jobs.reduce((n, j) => n + j.total, 0) });
        const left = deadline - Date.now();
        if (jobs.every((j) => j.status === 'completed') || left <= 0) return { jobs: jobs.map((j) => jobOutcome(j, j.status === 'completed')) };
        await ctx.sleep(Math.min(interval, left));
      }
    },

    /** Reserve for a `reserve` step (`stepId` names it in the record; the service's request has no step). */
    async reserveSupplies({ stepId, ...body }: RequestOf<typeof supplies.reserve> & { stepId?: string }) {
      return reservationOutcome(await request(supplies.reserve, body), { ...(stepId !== undefined ? { stepId } : {}), lines: body.lines, communityId: body.communityId });
    },
    async issueSupplies(body: RequestOf<typeof supplies.issue>) {
      return reservationOutcome(await request(supplies.issue, body));
    },
    async returnSupplies(body: RequestOf<typeof supplies.return>) {
      return reservationOutcome(await request(supplies.return, body));
    },
    async releaseSupplies(body: RequestOf<typeof supplies.release>) {
      return reservationOutcome(await request(supplies.release, body));
    },

    /** Open the community's sites of the step's kinds until they hold the places asked for (supplies open-site). */
    async openSites({ stepId, ...body }: RequestOf<typeof supplies.openSite> & { stepId?: string }): Promise<SiteOutcome> {
      return siteOutcome(await request(supplies.openSite, body), { stepId });
    },
    /** Close sites the incident opened in the community (supplies close-site). */
    async closeSites(body: RequestOf<typeof supplies.closeSite>): Promise<SiteOutcome> {
      return siteOutcome(await request(supplies.closeSite, body), undefined);
    },

    /** Give a task one named owner (by role and skill); the owner's identity stays a pseudonymous id. */
    async dispatchResponder(body: RequestOf<typeof personnel.dispatch>) {
      return taskOutcome(await request(personnel.dispatch, body), { stepId: body.stepId, role: body.role });
    },
    /** Move an unacknowledged task to the next candidate. */
    async fallbackResponder(body: RequestOf<typeof personnel.fallback>) {
      return taskOutcome(await request(personnel.fallback, body));
    },
    async standDownResponders(body: RequestOf<typeof personnel.standDown>) {
      return request(personnel.standDown, body);
    },

    /** Credit points for a completed task; the service computes the points and credits each cause once. */
    async awardPoints(body: RequestOf<typeof incentives.award>): Promise<AwardOutcome> {
      const entry = await request(incentives.award, body);
      return { entryId: entry.entryId, points: entry.points };
    },

    /**
     * Personnel's span-of-control check for the incident's area, reduced to the flagged communities' findings
     * (ids, codes and figures only), at most 200.
     */
    async checkReadiness({ area }: { area: RequestOf<typeof personnel.readiness>['area'] }): Promise<SpanFinding[]> {
      const report = await request(personnel.readiness, { area });
      return report.communities
        .flatMap((c) => c.findings.map((f) => ({ communityId: c.communityId, code: f.code, message: f.message, ...(f.value !== undefined ? { value: f.value } : {}), ...(f.limit !== undefined ? { limit: f.limit } : {}) })))
        .slice(0, 200);
    },

    /** Each named service's `summary` for the incident (totals only). */
    async collectFigures({ incidentId, figures }: { incidentId: string; figures: (keyof CollectedFigures)[] }): Promise<CollectedFigures> {
      const out: CollectedFigures = {};
      for (const figure of figures) {
        if (figure === 'notification') {
          const { jobs, total, sent, failed, direct } = await request(notification.summary, { incidentId });
          out.notification = { jobs, total, sent, failed, direct };
        } else if (figure === 'supplies') {
          const { reservations, reserved, issued, returned, released, shortfall } = await request(supplies.summary, { incidentId });
          out.supplies = { reservations, reserved, issued, returned, released, shortfall };
        } else if (figure === 'personnel') {
          const { tasks, acknowledged, done, timedOut, fallbacks } = await request(personnel.summary, { incidentId });
          out.personnel = { tasks, acknowledged, done, timedOut, fallbacks };
        } else {
          const { awards, points, participants } = await request(incentives.summary, { incidentId });
          out.incentives = { awards, points, participants };
        }
      }
      return out;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

// The worker registers exactly the activities the contracts name (and the review reads by those names).
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;
export const activitiesMatchContract: SameKeys<Activities, Record<ActivityName, unknown>> = true;
