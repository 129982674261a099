import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { PlanDocument, TASK_QUEUE, workflowIds, type IncidentInput, type IncidentView, type PlanInput } from '@lifeline/contracts';
import { commandUpdate, statusQuery } from '@lifeline/workflows';
import { buildCity, http, pollUntil, sendCity, withMongo, withNats, withTemporal } from '@lifeline/testkit';
import { reachedAtGateway } from './support';

/**
 * Deadlines, escalation rules, approval gates, visibility and stand-down on the real stack (worker, services,
 * bridge, FerretDB). The incident is NOT a drill, so nobody acknowledges on their own and deadlines really pass:
 * the grid worker's deadline raises the severity (rule escalate-severity) and pages a backup; the community
 * staff's deadline opens a gate the commander decides; the respond phase holds for the operator, where the
 * incident is listed through Temporal's visibility API; then a stand-down releases the supplies, stands the
 * responders down and sends the all-clear — checked in each service's own database.
 */
jest.setTimeout(300_000);

const CITY = { communities: 2, residents: 600, seed: 2026, today: new Date().toISOString().slice(0, 10) };
const city = buildCity(CITY);
const community = city.units.find((u) => u.id === 'c0001')!;
const districtId = 'd01';
const drillPlan = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../services/command-center/plans/community-drill.json'), 'utf8')) as PlanInput;

/** The bundled drill plan with short deadlines and the three rules under test. */
function deadlinePlan(): PlanDocument {
  const plan = structuredClone(drillPlan);
  const dispatch = plan.phases.mobilize!.find((s) => s.kind === 'dispatch') as Record<string, unknown>;
  Object.assign(dispatch, { ackDeadlineSeconds: 3, maxFallbacks: 1, onDeadline: 'escalate-severity' });
  plan.phases.mobilize!.push({
    id: 'dispatch-staff-lead',
    kind: 'dispatch',
    role: 'community-staff',
    title: { zh: '社区干部带班', en: 'Community staff leads' },
    task: { zh: '到社区应急指挥点带班', en: 'Lead the community emergency post' },
    ackDeadlineSeconds: 3,
    maxFallbacks: 0,
    onDeadline: 'ask-commander',
  } as never);
  plan.phases.respond = [{ id: 'hold-for-operator', kind: 'await', for: 'operator', title: { zh: '等待指挥部', en: 'Hold for the operator' } }, ...(plan.phases.respond ?? [])];
  return PlanDocument.parse(plan);
}

const until = <T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 120_000) => pollUntil(what, get, { until: ok, timeoutMs, everyMs: 500 });

const rejectionOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: Error & { cause?: Error }) => `${e.message} / ${e.cause?.message ?? ''}`,
  );

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
});

it('deadline rules, a commander’s gate, visibility and a stand-down, on the real stack', async () => {
  const incidentId = `e2e-deadlines-${randomUUID().slice(0, 8)}`;
  const input: IncidentInput = { incidentId, title: 'E2E deadlines', severity: 'III', drill: false, area: { communityIds: [community.id] }, plan: deadlinePlan(), requestedBy: 'e2e' };

  await withTemporal(async (client) => {
    const handle: WorkflowHandle = await client.workflow.start('incidentWorkflow', { workflowId: workflowIds.incident(incidentId), taskQueue: TASK_QUEUE, args: [input] });
    const status = () => handle.query(statusQuery);

    // escalate-severity: the grid worker's deadline passed → III → II, once.
    const gated = await until('the staff gate is open', status, (v: IncidentView) => v.gates?.some((g) => g.status === 'open') ?? false);
    expect(gated.severity).toBe('II');
    expect(gated.timeline.filter((t) => t.what.includes('rule escalate-severity'))).toHaveLength(1);
    const gateId = 'mobilize:dispatch-staff-lead';
    expect(gated.gates).toEqual([expect.objectContaining({ gateId, options: ['page-backup', 'accept-miss'], communities: 1 })]);

    // An invalid decision is refused by the validator: nothing reaches history.
    const updatesBefore = ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    expect(await rejectionOf(handle.executeUpdate(commandUpdate, { args: [{ type: 'decide', reason: 'x', gateId, decision: 'evacuate' }] }))).toMatch(/one of page-backup, accept-miss/);
    expect(((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(updatesBefore);
    await handle.executeUpdate(commandUpdate, { args: [{ type: 'decide', reason: 'staff on leave; accept', gateId, decision: 'accept-miss' }] });

    // Respond holds for the operator: the incident is listed as a level-II incident of d01 in respond.
    await until('the incident holds in respond', status, (v: IncidentView) => v.timeline.some((t) => t.what.includes('waiting for the operator')));
    const query = `LifelineSeverity = "II" AND LifelineDistrict = "${districtId}" AND LifelinePhase = "respond" AND ExecutionStatus = "Running"`;
    const listed = await until(
      'visibility lists the incident',
      async () => {
        const ids: string[] = [];
        for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.includes(handle.workflowId),
      30_000,
    );
    expect(listed).toContain(handle.workflowId);

    // Stand-down: cancel what remains, then release, stand down, all-clear.
    await handle.executeUpdate(commandUpdate, { args: [{ type: 'stand-down', reason: 'river fell back' }] });
    const final = (await handle.result()) as IncidentView;
    expect(final).toMatchObject({ phase: 'closed', status: 'cancelled', severity: 'II' });
    expect(final.review?.outcome).toBe('stood-down');
    expect(final.gates?.[0]).toMatchObject({ status: 'decided', decision: 'accept-miss' });
    const area = final.areas[0]!;
    expect(area.figures.personnel).toMatchObject({ tasks: 2, fallbacks: 1, missed: 2 });
  });

  await withMongo(async (mongo) => {
    const reservations = await mongo.db('lifeline_supplies').collection('reservations').find({ incidentId }).toArray();
    expect(reservations).toHaveLength(1);
    expect(reservations[0]!.status).toBe('released');
    const tasks = await mongo.db('lifeline_personnel').collection('tasks').find({ incidentId }).sort({ stepId: 1 }).toArray();
    expect(tasks.map((t) => [t.stepId, t.status])).toEqual([
      ['dispatch-grid-worker', 'stood-down'],
      ['dispatch-staff-lead', 'stood-down'],
    ]);
    // The escalation paged exactly one backup: two owners, never the same person twice.
    const owners = tasks.find((t) => t.stepId === 'dispatch-grid-worker')!.owners as string[];
    expect(owners).toHaveLength(2);
    expect(new Set(owners).size).toBe(2);
    const allClear = await reachedAtGateway(mongo, incidentId, 'stand-down-all-clear');
    expect(allClear).toHaveLength(community.population ?? 0);
    expect(new Set(allClear).size).toBe(allClear.length);
  });
});

it('an invalid command is refused over HTTP with the path of the offending field, and changes nothing', async () => {
  const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'operator', {
    planId: 'community-drill',
    severity: 'IV',
    area: { communityIds: [community.id] },
    title: 'E2E invalid commands',
    drill: true,
  });
  expect(started.status).toBe(202);
  const { incidentId } = started.body;
  const bad = await http<{ error: { code: string; details?: { path: string }[] } }>('POST', `/v1/incidents/${incidentId}/commands`, 'commander', { type: 'decide', reason: 'x', decision: 'page-backup' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('invalid_request');
  expect(JSON.stringify(bad.body.error.details)).toContain('gateId');
  const noGate = await http<{ error: { code: string; message: string } }>('POST', `/v1/incidents/${incidentId}/commands`, 'commander', { type: 'decide', reason: 'x', gateId: 'warn:none', decision: 'page-backup' });
  expect(noGate.status).toBeGreaterThanOrEqual(400);
  expect(noGate.body.error.message).toMatch(/no gate warn:none/);
  const view = await http<IncidentView>('GET', `/v1/incidents/${incidentId}`, 'auditor');
  expect(view.body.gates ?? []).toEqual([]);
  expect(view.body.timeline.some((t) => t.what.startsWith('gate '))).toBe(false);
});

it('an invalid plan version is refused with the path of the offending field, and no version is added', async () => {
  const before = await http<{ versions: unknown[] }>('GET', '/v1/plans/community-drill', 'auditor');
  const plan = structuredClone(drillPlan) as PlanInput;
  plan.phases.respond = [{ id: 'wait-a-bit', kind: 'await', for: 'timer', title: { zh: '等待', en: 'Wait' } }, ...(plan.phases.respond ?? [])];
  const answer = await http<{ error: { code: string; details?: unknown } }>('POST', '/v1/plans/community-drill/versions', 'commander', { plan });
  expect(answer.status).toBe(400);
  expect(JSON.stringify(answer.body.error.details)).toContain('phases.respond.0.seconds');
  const after = await http<{ versions: unknown[] }>('GET', '/v1/plans/community-drill', 'auditor');
  expect(after.body.versions).toEqual(before.body.versions);
});
