import { personnelEvents } from '@lifeline/contracts';
import { taskSignalFromEvent } from '../src/signal-bridge';

const task = { taskId: 't-1', incidentId: 'flood-1', communityId: 'c-harbour', stepId: 'dispatch-grid-worker', role: 'grid-worker', ownerId: 'p-7', owners: ['p-7'], status: 'done', drill: true, hours: 2 };
const envelope = (data: unknown) => ({ id: 'evt-1', type: 'personnel.task-completed', time: '2026-01-01T00:00:00.000Z', incidentId: 'flood-1', data });

describe('bridge: personnel events → taskProgress signals', () => {
  test('a completion signals the community workflow with the owner and hours', () => {
    expect(taskSignalFromEvent(personnelEvents.completed.subject, envelope(task))).toEqual({
      workflowId: 'incident-flood-1/community-c-harbour',
      signal: { taskId: 't-1', status: 'done', ownerId: 'p-7', hours: 2 },
    });
  });

  test('an acknowledgement signals acknowledged', () => {
    const { hours: _hours, ...acked } = task;
    expect(taskSignalFromEvent(personnelEvents.acknowledged.subject, envelope({ ...acked, status: 'acknowledged' }))).toEqual({
      workflowId: 'incident-flood-1/community-c-harbour',
      signal: { taskId: 't-1', status: 'acknowledged', ownerId: 'p-7' },
    });
  });

  test('malformed events are refused rather than signalled', () => {
    expect(taskSignalFromEvent(personnelEvents.completed.subject, { nope: true })).toEqual({ invalid: 'not an event envelope' });
    expect(taskSignalFromEvent(personnelEvents.completed.subject, envelope({ taskId: 't-1' }))).toEqual({ invalid: 'event data is not a personnel task' });
    expect(taskSignalFromEvent(personnelEvents.completed.subject, envelope({ ...task, ownerId: undefined }))).toEqual({ invalid: 'task t-1 has no owner' });
  });
});
