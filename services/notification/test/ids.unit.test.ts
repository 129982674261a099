import { caseIdOf } from '../src/replies';

// Stored ids: a second reply in the same case must find the case its first reply opened, across versions.
it('a case id from incident and reply key is the id written before', () => {
  expect(caseIdOf('inc-1', 'reply-key-1')).toBe('case-3631d411de99555a8249');
});
