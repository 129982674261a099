/**
 * In-process activities standing in for the four services, for interpreter tests only: they record every
 * command and simulate responders by signalling the community workflow the way the bridge would.
 * The real services, NATS and the bridge are covered by the end-to-end test.
 */
import type { Client } from '@temporalio/client';
import { workflowIds } from '@lifeline/contracts';
import { LifelineError } from '@lifeline/contracts';
import { toApplicationFailure, type Activities } from '../src/activities';
import { taskProgressSignal } from '../src/messages';

/** A small fixed city: two districts, three communities. */
export const CITY = [
  { districtId: 'd-east', communities: [{ communityId: 'c-harbour', population: 2000 }, { communityId: 'c-market', population: 500 }] },
  { districtId: 'd-west', communities: [{ communityId: 'c-hill', population: 1200 }] },
];

/** How simulated responders behave in an incident. */
/** How the test's responders answer: all done, nobody answers, or everyone acknowledges and never reports done. */
export type Responders = 'acknowledge-and-complete' | 'never-acknowledge' | 'acknowledge-only';

export interface RecordedCall {
  activity: keyof Activities;
  incidentId?: string | undefined;
  body: Record<string, unknown>;
}

export class FakeServices {
  readonly calls: RecordedCall[] = [];
  private readonly responders = new Map<string, Responders>();
  private readonly tasks = new Map<string, { incidentId: string; communityId: string; owners: string[] }>();
  private readonly pollFailures: { jobIdPart: string; left: number; error: LifelineError }[] = [];

  constructor(private readonly client: Client) {}

  respond(incidentId: string, behaviour: Responders) {
    this.responders.set(incidentId, behaviour);
  }

  /**
   * The next `times` polls of a job whose id contains `jobIdPart` fail with `error`, thrown as the real activity
   * throws a service's error (a NATS "no responders" is `unavailable`).
   */
  failPolls(jobIdPart: string, times: number, error: LifelineError) {
    this.pollFailures.push({ jobIdPart, left: times, error });
  }

  private failingPoll(jobIds: string[]) {
    const failure = this.pollFailures.find((f) => f.left > 0 && jobIds.some((id) => id.includes(f.jobIdPart)));
    if (!failure) return;
    failure.left--;
    throw toApplicationFailure(failure.error);
  }

  callsOf(activity: keyof Activities, incidentId: string) {
    return this.calls.filter((c) => c.activity === activity && c.incidentId === incidentId);
  }

  private log(activity: keyof Activities, body: object) {
    const record = body as Record<string, unknown>;
    this.calls.push({ activity, incidentId: (record.incidentId as string | undefined) ?? this.incidentOf(record), body: record });
  }

  private incidentOf(body: Record<string, unknown>) {
    if (typeof body.taskId === 'string') return this.tasks.get(body.taskId)?.incidentId;
    if (typeof body.reservationId === 'string') return body.reservationId.split('~')[1];
    return undefined;
  }

  /** A responder acknowledges, then reports two hours of work, as the bridge would signal it. */
  private simulateResponder(taskId: string) {
    const task = this.tasks.get(taskId);
    const mode = task && this.responders.get(task.incidentId);
    if (!task || (mode !== 'acknowledge-and-complete' && mode !== 'acknowledge-only')) return;
    const handle = this.client.workflow.getHandle(workflowIds.community(task.incidentId, task.communityId));
    const ownerId = task.owners[task.owners.length - 1] as string;
    setTimeout(() => {
      void handle
        .signal(taskProgressSignal, { taskId, status: 'acknowledged', ownerId })
        .then(() => new Promise((resolve) => setTimeout(resolve, 200)))
        .then(() => (mode === 'acknowledge-and-complete' ? handle.signal(taskProgressSignal, { taskId, status: 'done', ownerId, hours: 2 }) : undefined))
        .catch(() => undefined);
    }, 200);
  }

  activities(): Activities {
    const reservation = (body: { reservationId: string }, status: 'issued' | 'returned' | 'released') => ({
      reservationId: body.reservationId,
      status,
      units: 0,
      shortfall: 0,
    });
    return {
      resolveArea: async (body) => {
        this.log('resolveArea', body);
        return { districts: CITY };
      },
      broadcast: async (body) => {
        this.log('broadcast', body);
        return { jobId: `job-${body.communityId}-${body.stepId}`, status: 'sending', total: 10, sent: 4, failed: 0, completed: false, communityId: body.communityId };
      },
      awaitBroadcast: async (body) => {
        this.log('awaitBroadcast', body);
        this.failingPoll([body.jobId]);
        const communityId = this.calls.find((c) => c.activity === 'broadcast' && `job-${String(c.body.communityId)}-${String(c.body.stepId)}` === body.jobId)?.body.communityId;
        return { jobId: body.jobId, status: 'completed', total: 10, sent: 10, failed: 0, completed: true, ...(typeof communityId === 'string' ? { communityId } : {}) };
      },
      awaitBroadcasts: async (body) => {
        this.log('awaitBroadcasts', body);
        this.failingPoll(body.jobIds);
        const communityOf = (jobId: string) => this.calls.find((c) => c.activity === 'broadcast' && `job-${String(c.body.communityId)}-${String(c.body.stepId)}` === jobId)?.body.communityId;
        return { jobs: body.jobIds.map((jobId) => ({ jobId, status: 'completed' as const, total: 10, sent: 10, failed: 0, completed: true, communityId: String(communityOf(jobId)) })) };
      },
      reserveSupplies: async (body) => {
        this.log('reserveSupplies', body);
        const units = body.lines.reduce((sum, l) => sum + l.quantity, 0);
        // The market community's depot is short of water: a shortfall the review must report.
        const shortfall = body.communityId === 'c-market' ? 3 : 0;
        return { reservationId: `res~${body.incidentId}~${body.communityId}`, status: 'reserved', units: units - shortfall, shortfall, communityId: body.communityId };
      },
      issueSupplies: async (body) => (this.log('issueSupplies', body), reservation(body, 'issued')),
      returnSupplies: async (body) => (this.log('returnSupplies', body), reservation(body, 'returned')),
      releaseSupplies: async (body) => (this.log('releaseSupplies', body), reservation(body, 'released')),
      openSites: async (body) => {
        this.log('openSites', body);
        // One site of each kind asked, 100 places each; the harbour (2,000 residents) may come up short.
        // Incidents named `sites-chunks-…` find one 10-place site per 10 places asked (more than one close command takes).
        if (body.incidentId.startsWith('sites-chunks-')) {
          const siteIds = Array.from({ length: Math.ceil(body.capacity / 10) }, (_, i) => `${body.communityId}-school-${i}`);
          return { siteIds, capacity: 10 * siteIds.length, shortfall: 0 };
        }
        const siteIds = body.siteKinds.map((kind) => `${body.communityId}-${kind}`);
        const capacity = 100 * siteIds.length;
        return { siteIds, capacity, shortfall: Math.max(0, body.capacity - capacity) };
      },
      closeSites: async (body) => {
        this.log('closeSites', body);
        return { siteIds: body.siteIds ?? [], capacity: 100 * (body.siteIds?.length ?? 0), shortfall: 0 };
      },
      dispatchResponder: async (body) => {
        this.log('dispatchResponder', body);
        const taskId = `task~${body.incidentId}~${body.communityId}~${body.stepId}`;
        const owners = [`${body.role}-${body.communityId}-1`];
        if (!this.tasks.has(taskId)) this.tasks.set(taskId, { incidentId: body.incidentId, communityId: body.communityId, owners });
        this.simulateResponder(taskId);
        return { taskId, ownerId: owners[0], status: 'assigned' as const };
      },
      fallbackResponder: async (body) => {
        this.log('fallbackResponder', body);
        const task = this.tasks.get(body.taskId);
        if (!task) throw new Error(`unknown task ${body.taskId}`);
        task.owners.push(`${task.owners[0]}-backup-${task.owners.length}`);
        this.simulateResponder(body.taskId);
        return { taskId: body.taskId, ownerId: task.owners[task.owners.length - 1], status: 'assigned' as const };
      },
      standDownResponders: async (body) => {
        this.log('standDownResponders', body);
        return { incidentId: body.incidentId, stoodDown: [...this.tasks.values()].filter((t) => t.incidentId === body.incidentId).length };
      },
      awardPoints: async (body) => {
        this.log('awardPoints', body);
        return { entryId: `entry-${body.cause.taskId}`, points: 10 * body.hours };
      },
      checkReadiness: async (body) => {
        this.log('checkReadiness', { ...body, incidentId: undefined });
        return [{ communityId: 'c-harbour', code: 'span-people', message: 'one grid worker for 700 residents', value: 700, limit: 300 }];
      },
      collectFigures: async (body) => {
        this.log('collectFigures', body);
        return { personnel: { tasks: 3, acknowledged: 3, done: 3, timedOut: 0, fallbacks: 0 } };
      },
    };
  }
}
