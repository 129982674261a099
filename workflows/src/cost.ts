/**
 * What an incident cost Temporal, read from Temporal itself (visibility + history), never estimated:
 * workflow executions (every run of the incident, its districts, sub-districts and communities), activities
 * scheduled, child workflows started, timers and history events. Node-side (uses the Temporal client).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;

export interface ExecutionCost {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  events: number;
  activities: number;
  children: number;
  timers: number;
  continuedAsNew: boolean;
}

export interface TypeCost {
  executions: number;
  events: number;
  activities: number;
  children: number;
  timers: number;
  /** The largest history of one execution of this type (events). */
  maxEvents: number;
  /** The most children one execution of this type started. */
  maxChildren: number;
}

export interface IncidentCost {
  incidentId: string;
  executions: number;
  historyEvents: number;
  activities: number;
  childWorkflows: number;
  timers: number;
  continuedAsNew: number;
  /** Executions per status (Completed, Failed, ContinuedAsNew…). */
  statuses: Record<string, number>;
  byType: Record<string, TypeCost>;
}

/** Summarise one execution's history. */
async function executionCost(client: Client, workflowId: string, runId: string, type: string, status: string): Promise<ExecutionCost> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const cost: ExecutionCost = { workflowId, runId, type, status, events: 0, activities: 0, children: 0, timers: 0, continuedAsNew: false };
  for (const event of history.events ?? []) {
    cost.events++;
    if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) cost.activities++;
    else if (event.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) cost.children++;
    else if (event.eventType === EventType.EVENT_TYPE_TIMER_STARTED) cost.timers++;
    else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) cost.continuedAsNew = true;
  }
  return cost;
}

/**
 * Every execution tagged `LifelineIncidentId = <id>` (the incident, its districts, sub-districts and communities,
 * every run of each), with its history counted. `concurrency` bounds parallel history fetches.
 */
export async function measureIncidentCost(client: Client, incidentId: string, concurrency = 8): Promise<IncidentCost> {
  const runs: { workflowId: string; runId: string; type: string; status: string }[] = [];
  for await (const wf of client.workflow.list({ query: `LifelineIncidentId = "${incidentId}"` })) {
    runs.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type, status: wf.status.name });
  }
  const costs: ExecutionCost[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, runs.length) }, async () => {
      while (next < runs.length) {
        const run = runs[next++]!;
        costs.push(await executionCost(client, run.workflowId, run.runId, run.type, run.status));
      }
    }),
  );
  const total: IncidentCost = { incidentId, executions: costs.length, historyEvents: 0, activities: 0, childWorkflows: 0, timers: 0, continuedAsNew: 0, statuses: {}, byType: {} };
  for (const c of costs) {
    total.historyEvents += c.events;
    total.activities += c.activities;
    total.childWorkflows += c.children;
    total.timers += c.timers;
    if (c.continuedAsNew) total.continuedAsNew++;
    total.statuses[c.status] = (total.statuses[c.status] ?? 0) + 1;
    const t = (total.byType[c.type] ??= { executions: 0, events: 0, activities: 0, children: 0, timers: 0, maxEvents: 0, maxChildren: 0 });
    t.executions++;
    t.events += c.events;
    t.activities += c.activities;
    t.children += c.children;
    t.timers += c.timers;
    t.maxEvents = Math.max(t.maxEvents, c.events);
    t.maxChildren = Math.max(t.maxChildren, c.children);
  }
  return total;
}
