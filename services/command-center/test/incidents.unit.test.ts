import { IncidentListQuery } from '@lifeline/contracts/http/command-center';
import { sseFrame, replayFrom, incidentOf } from '../src/live';
import { statusOf, visibilityQuery } from '../src/incidents';

describe('incident list filters as a Temporal visibility query', () => {
  it('always restricts to incident workflows, and adds one term per filter', () => {
    expect(visibilityQuery(IncidentListQuery.parse({}))).toBe(`WorkflowType = 'incidentWorkflow'`);
    const q = visibilityQuery(IncidentListQuery.parse({ phase: 'respond', severity: 'II', district: 'd01', drill: 'true', plan: 'flood-typhoon', status: 'failed' }));
    expect(q).toBe(
      `WorkflowType = 'incidentWorkflow' AND LifelinePhase = 'respond' AND LifelineSeverity = 'II' AND LifelineDistrict = 'd01' AND LifelineDrill = true AND LifelinePlanId = 'flood-typhoon' AND ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut')`,
    );
  });

  it('refuses values that could break out of the query', () => {
    expect(IncidentListQuery.safeParse({ district: "d01' OR 1=1" }).success).toBe(false);
    expect(IncidentListQuery.safeParse({ drill: 'yes' }).success).toBe(false);
    expect(IncidentListQuery.safeParse({ colour: 'red' }).success).toBe(false);
  });

  it('maps Temporal execution statuses to incident statuses', () => {
    expect(['RUNNING', 'COMPLETED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT', 'FAILED'].map(statusOf)).toEqual(['running', 'completed', 'cancelled', 'failed', 'failed', 'failed']);
  });
});

describe('the live stream framing', () => {
  it('frames an event with an optional id and one JSON data line', () => {
    expect(sseFrame('status', { phase: 'warn' })).toBe('event: status\ndata: {"phase":"warn"}\n\n');
    expect(sseFrame('event', { a: 'x\ny' }, 7)).toBe('id: 7\nevent: event\ndata: {"a":"x\\ny"}\n\n');
  });

  it('resumes after Last-Event-ID, else replays from the incident start', () => {
    const start = new Date('2026-11-23T10:00:00Z');
    expect(replayFrom('41', start)).toEqual(expect.objectContaining({ opt_start_seq: 42 }));
    for (const bad of [undefined, 'abc', '-3', '0']) expect(replayFrom(bad, start)).toEqual(expect.objectContaining({ opt_start_time: start.toISOString() }));
  });

  it('finds the incident of an event in its envelope or its data', () => {
    const envelope = { id: 'e1', type: 'supplies.reservation-made', time: '2026-11-23T10:00:00.000Z', data: { incidentId: 'inc-a' } };
    expect(incidentOf(envelope)?.incidentId).toBe('inc-a');
    expect(incidentOf({ ...envelope, incidentId: 'inc-b' })?.incidentId).toBe('inc-b');
    expect(incidentOf({ nope: true })).toBeUndefined();
  });
});
