import { qualifiedFor, rankCandidates, type CandidatePerson, type TaskNeed } from '../src/domain/candidates';

const person = (id: string, over: Partial<CandidatePerson> = {}): CandidatePerson => ({ id, type: 'grid-worker', communityId: 'c1', skills: [], available: true, ...over });
const need: TaskNeed = { taskId: 't1', incidentId: 'inc-1', communityId: 'c1', role: 'grid-worker', previousOwners: [], today: '2026-06-01' };
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

  it('blocks a person whose qualification for the skill has expired, even if the skill is listed', () => {
    const people = [
      person('p1', { skills: ['first-aid'], qualifications: [{ skill: 'first-aid', expiresOn: '2026-05-31' }] }),
      person('p2', { qualifications: [{ skill: 'first-aid', expiresOn: '2026-06-01' }] }),
      person('p3', { skills: ['first-aid'] }),
    ];
    expect(ids(rankCandidates(people, { ...need, skill: 'first-aid' }))).toEqual(['p2', 'p3']);
    expect(qualifiedFor(people[0]!, 'first-aid', '2026-05-30')).toBe(true);
    expect(qualifiedFor(people[0]!, undefined, '2027-01-01')).toBe(true);
  });

  it('puts people of the task grid first, then the rest by id', () => {
    const people = [person('p1', { gridId: 'g1' }), person('p2', { gridId: 'g2' }), person('p3', { gridId: 'g2' })];
    expect(ids(rankCandidates(people, { ...need, gridId: 'g2' }))).toEqual(['p2', 'p3', 'p1']);
  });
});
