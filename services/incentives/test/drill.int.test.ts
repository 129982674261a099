import { randomUUID } from 'node:crypto';
import { incentives } from '@lifeline/contracts';
import { call } from '@lifeline/platform';
import { buildCity, sendCity, http, waitForIncident, withMongo, withNats } from '@lifeline/testkit';

/**
 * A drill end to end, seen from the ledger: HTTP → workflow → personnel's simulated responders → their
 * task-completed events → this service's consumer and the workflow's award step → points for exactly the
 * people who did the work, once each, and honour candidates for the review.
 */
jest.setTimeout(240_000);

const city = buildCity({ communities: 2, residents: 400, seed: 77, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
});

describe('a drill, from the ledger’s side', () => {
  it('credits the responders who completed tasks, once per task, and proposes them for honours', async () => {
    const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'operator', { planId: 'community-drill', severity: 'IV', area: { communityIds: [community.id] }, title: 'Ledger drill', drill: true }, { 'idempotency-key': `ledger-drill-${randomUUID()}` });
    expect(started.status).toBe(202);
    const { incidentId } = started.body;
    const final = await waitForIncident(incidentId, (v) => v.phase === 'closed');
    expect(final.status).toBe('completed');

    await withMongo(async (mongo) => {
      const tasks = await mongo.db('lifeline_personnel').collection('tasks').find({ incidentId, status: 'done' }).toArray();
      expect(tasks.length).toBeGreaterThanOrEqual(1);
      const entries = await mongo.db('lifeline_incentives').collection('ledger_entries').find({ incidentId, kind: 'award' }).toArray();
      expect(entries.map((e) => e.cause).sort()).toEqual(tasks.map((t) => `task-completed:${String(t._id)}`).sort());
      for (const t of tasks) expect(entries.find((e) => e.cause === `task-completed:${String(t._id)}`)?.participantId).toBe(t.ownerId);
      // Points are positive unless the responder's daily cap of points or of payable hours is spent (other drills of the day, e.g. earlier in the suite).
      expect(entries.map((e) => [e.basis?.drill, e.points > 0 || e.basis?.capped === true || e.basis?.hours === 0])).toEqual(entries.map(() => [true, true]));
      // Paid at the severity the task event carries (personnel records it at dispatch), not a fallback.
      expect(entries.map((e) => [e.basis?.severity, e.basis?.severitySource])).toEqual(entries.map(() => ['IV', 'event']));
    });

    await withNats(async (nc) => {
      const summary = await call(nc, incentives.summary, { incidentId });
      expect(summary.awards).toBeGreaterThanOrEqual(1);
      expect(summary.volunteerHours).toBeGreaterThan(0);
      const { candidates } = await call(nc, incentives.honourCandidates, { incidentId });
      const individuals = candidates.filter((c) => c.kind === 'model-individual');
      const residents = Object.entries(summary.pointsByParticipantType ?? {}).filter(([type]) => type !== 'professional');
      if (residents.length > 0) expect(individuals.length).toBeGreaterThanOrEqual(1);
      for (const c of individuals) expect(summary.topParticipants).toContain(c.participantId);
      const verified = await call(nc, incentives.verify, {}, { timeoutMs: 120_000 });
      for (const id of summary.topParticipants ?? []) expect(verified.broken.map((b) => b.participantId)).not.toContain(id);
    });
  });
});
