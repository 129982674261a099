import { rankCandidates, type CandidatePerson, type TaskNeed } from '../src/domain/candidates';

const person = (id: string, over: Partial<CandidatePerson> = {}): CandidatePerson => ({ id, type: 'grid-worker', communityId: 'c1', skills: [], available: true, ...over });
const need: TaskNeed = { taskId: 't1', incidentId: 'inc-1', communityId: 'c1', role: 'grid-worker', previousOwners: [] };
const ids = (people: CandidatePerson[]) => people.map((p) => p.id);

describe('candidate selection (专人专事)', () => {
  it('ranks people of the role in the community by id, so the same roster always gives the same owner', () => {
    expect(ids(rankCandidates([person('p3'), person('p1'), person('p2')], need))).toEqual(['p1', 'p2', 'p3']);
  });

  it('leaves out other roles, other communities and unavailable people', () => {
    const people = [person('p1', { type: 'volunteer' }), person('p2', { communityId: 'c2' }), person('p3', { available: false }), person('p4')];
    expect(ids(rankCandidates(people, need))).toEqual(['p4']);
  });

  it('asks for the skill only when the task names one', () => {
    const people = [person('p1'), person('p2', { skills: ['first-aid'] })];
    expect(ids(rankCandidates(people, { ...need, skill: 'first-aid' }))).toEqual(['p2']);
    expect(ids(rankCandidates(people, need))).toEqual(['p1', 'p2']);
  });

  it('passes over someone already holding an open task of the same incident', () => {
    const held = [{ personId: 'p1', taskId: 't0' }];
    expect(ids(rankCandidates([person('p1'), person('p2')], need, held))).toEqual(['p2']);
  });

  it('treats a claim on this very task as free, so a retried dispatch keeps the person it claimed', () => {
    const held = [{ personId: 'p1', taskId: 't1' }];
    expect(ids(rankCandidates([person('p1'), person('p2')], need, held))).toEqual(['p1', 'p2']);
  });

  it('never gives a task back to a previous owner', () => {
    expect(ids(rankCandidates([person('p1'), person('p2'), person('p3')], { ...need, previousOwners: ['p1', 'p2'] }))).toEqual(['p3']);
  });

  it('returns nobody when nobody fits (the workflow decides what to do)', () => {
    expect(rankCandidates([person('p1', { available: false })], need)).toEqual([]);
  });
});
