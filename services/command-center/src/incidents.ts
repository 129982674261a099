import { randomBytes } from 'node:crypto';
import type { Model } from 'mongoose';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  IncidentInput,
  LifelineError,
  TASK_QUEUE,
  workflowIds,
  type CommandResult,
  type IncidentCommand,
  type IncidentView,
  type PlanDocument,
  type StartIncidentRequest,
  type IncidentStatus,
  type IncidentPhase,
  type Severity,
} from '@lifeline/contracts';
import type { IncidentListQuery as IncidentFilter, IncidentSummary } from '@lifeline/contracts/http/command-center';
import { commandUpdate, statusQuery } from '@lifeline/workflows';
import { activeTrace, isDuplicateKey } from '@lifeline/platform';
import type { IncidentRecord } from './model/incident';
import type { Plans } from './plans';

/** `inc-20261122-k3f9q2`: sortable by day, unguessable, a valid slug for subjects and workflow ids. */
export function newIncidentId(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `inc-${day}-${randomBytes(4).toString('hex')}`;
}

/** Starts incidents (idempotently), reads them from their workflow and forwards commands as Updates. */
export class Incidents {
  constructor(
    private readonly client: Client,
    private readonly index: Model<IncidentRecord>,
    private readonly plans: Plans,
  ) {}

  /** Same Idempotency-Key → same incident; a crash between the index write and the start is healed by the retry. */
  async start(request: StartIncidentRequest, requestedBy: string, idempotencyKey?: string): Promise<IncidentRecord> {
    const plan = await this.plans.toRun(request.planId, request);
    const incidentId = newIncidentId();
    // The span of this request is the root of the incident's trace; its id is kept for the console's trace link.
    const traceId = activeTrace({ 'lifeline.incident.id': incidentId });
    const record: IncidentRecord = {
      incidentId,
      workflowId: workflowIds.incident(incidentId),
      idempotencyKey: idempotencyKey ?? `auto:${incidentId}`,
      planId: plan.id,
      planVersion: plan.version,
      severity: request.severity,
      title: request.title,
      drill: request.drill ?? false,
      area: request.area,
      requestedBy,
      createdAt: new Date(),
      ...(traceId ? { traceId } : {}),
    };
    try {
      await this.index.create(record);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await this.index.findOne({ idempotencyKey: record.idempotencyKey }).lean();
      if (!existing) throw err;
      activeTrace({ 'lifeline.incident.id': existing.incidentId });
      // A repeat: make sure the first request's incident runs, with the plan version it pinned.
      await this.ensureStarted(existing, await this.plans.version(existing.planId, existing.planVersion));
      return existing;
    }
    await this.ensureStarted(record, plan);
    return record;
  }

  private async ensureStarted(record: IncidentRecord, plan: PlanDocument): Promise<void> {
    const input = IncidentInput.parse({
      incidentId: record.incidentId,
      title: record.title,
      severity: record.severity,
      drill: record.drill,
      area: record.area,
      plan,
      requestedBy: record.requestedBy,
    });
    try {
      await this.client.workflow.start('incidentWorkflow', {
        workflowId: record.workflowId,
        taskQueue: TASK_QUEUE,
        args: [input],
        searchAttributes: {
          LifelineIncidentId: [record.incidentId],
          LifelinePlanId: [record.planId],
          LifelineSeverity: [record.severity],
          LifelinePhase: ['warn'],
          LifelineDrill: [record.drill],
        },
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  async record(incidentId: string): Promise<IncidentRecord> {
    const record = await this.index.findOne({ incidentId }).lean();
    if (!record) throw new LifelineError('not_found', `no incident ${incidentId}`);
    return record;
  }

  /** Phase, status and per-area progress as the workflow knows them. */
  async view(incidentId: string): Promise<IncidentView> {
    const record = await this.record(incidentId);
    const handle = this.client.workflow.getHandle(record.workflowId);
    try {
      const [view, description] = await Promise.all([handle.query(statusQuery), handle.describe()]);
      const failed = ['FAILED', 'TERMINATED', 'TIMED_OUT'].includes(description.status.name);
      return failed ? { ...view, status: 'failed' } : view;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new LifelineError('not_found', `workflow ${record.workflowId} is gone`);
      throw new LifelineError('unavailable', `incident workflow did not answer: ${(err as Error).message}`);
    }
  }

  /** Forward a validated command as a Temporal Update; the workflow's validator may still refuse it. */
  async command(incidentId: string, command: IncidentCommand): Promise<CommandResult> {
    const record = await this.record(incidentId);
    try {
      const result = await this.client.workflow.getHandle(record.workflowId).executeUpdate(commandUpdate, { args: [command] });
      // A stood-down workflow completes normally; the index remembers that the incident was cancelled (list status).
      if (command.type === 'stand-down') await this.index.updateOne({ incidentId }, { $set: { stoodDownAt: new Date() } });
      return result;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new LifelineError('invalid_state', (err.cause as Error | undefined)?.message ?? err.message);
      if (err instanceof WorkflowNotFoundError) throw new LifelineError('invalid_state', 'the incident is no longer running');
      throw err;
    }
  }

  /**
   * Incidents matching the filter, newest first. Phase, severity, district, drill and status live in Temporal's
   * visibility store (search attributes the workflow keeps up to date), so the query runs there; the index adds
   * the title, plan version and who started it.
   */
  async search(filter: IncidentFilter): Promise<IncidentSummary[]> {
    const found = new Map<string, { phase?: string; status: IncidentStatus; severity?: string }>();
    for await (const wf of this.client.workflow.list({ query: visibilityQuery(filter) })) {
      const incidentId = wf.searchAttributes?.LifelineIncidentId?.[0];
      if (typeof incidentId !== 'string') continue;
      const phase = wf.searchAttributes?.LifelinePhase?.[0];
      const severity = wf.searchAttributes?.LifelineSeverity?.[0];
      found.set(incidentId, { phase: typeof phase === 'string' ? phase : undefined, severity: typeof severity === 'string' ? severity : undefined, status: statusOf(wf.status.name) });
      if (found.size >= filter.limit * (filter.status ? 4 : 1)) break;
    }
    if (found.size === 0) return [];
    const records = await this.index.find({ incidentId: { $in: [...found.keys()] } }).lean();
    return records
      .map((r) => {
        const live = found.get(r.incidentId)!;
        const status = live.status === 'completed' && r.stoodDownAt ? 'cancelled' : live.status;
        return {
          incidentId: r.incidentId,
          workflowId: r.workflowId,
          planId: r.planId,
          planVersion: r.planVersion,
          severity: (live.severity ?? r.severity) as Severity,
          title: r.title,
          drill: r.drill,
          createdAt: r.createdAt,
          phase: (live.phase ?? 'warn') as IncidentPhase,
          status,
        };
      })
      .filter((i) => filter.status === undefined || i.status === filter.status)
      .slice(0, filter.limit)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }
}

/** A Temporal execution status as an incident status. */
export function statusOf(name: string): IncidentStatus {
  if (name === 'RUNNING' || name === 'CONTINUED_AS_NEW') return 'running';
  if (name === 'COMPLETED') return 'completed';
  if (name === 'CANCELLED') return 'cancelled';
  return 'failed';
}

const EXECUTION_STATUS: Record<IncidentStatus, string> = {
  running: `ExecutionStatus = 'Running'`,
  completed: `ExecutionStatus = 'Completed'`,
  // A stand-down completes the workflow normally; the index tells the two apart after the query.
  cancelled: `ExecutionStatus IN ('Canceled', 'Completed')`,
  failed: `ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut')`,
};

/** The Temporal visibility query for a filter; values are contract-validated slugs and enums, so quoting is safe. */
export function visibilityQuery(filter: IncidentFilter): string {
  const terms = [`WorkflowType = 'incidentWorkflow'`];
  if (filter.phase) terms.push(`LifelinePhase = '${filter.phase}'`);
  if (filter.severity) terms.push(`LifelineSeverity = '${filter.severity}'`);
  if (filter.district) terms.push(`LifelineDistrict = '${filter.district}'`);
  if (filter.drill !== undefined) terms.push(`LifelineDrill = ${filter.drill}`);
  if (filter.plan) terms.push(`LifelinePlanId = '${filter.plan}'`);
  if (filter.status) terms.push(EXECUTION_STATUS[filter.status]);
  return terms.join(' AND ');
}
