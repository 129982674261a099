import { surgeCallIdFor } from '../src/surge';
import { taskIdFor } from '../src/tasks';

// Stored ids: a retried dispatch or surge call must find the record its first attempt wrote, across versions.
it('task and surge-call ids from their keys are the ids written before', () => {
  expect(taskIdFor('inc-1:door-knock:c-1')).toBe('task-9fdb2915138f6c6f44171433');
  expect(surgeCallIdFor('surge-key-1')).toBe('surge-5a82f5ec0ebdcc89631fc2f3');
});
