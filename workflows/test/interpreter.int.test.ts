/**
 * INTERPRETER LOGIC against a real Temporal server: the workflows run for real (children, timers, updates,
 * signals, cancellation), while in-process test activities (fake-services.ts) stand in for the four services.
 * The real services, NATS and the bridge are covered by the lead's end-to-end test.
 *
 * Uses TEMPORAL_ADDRESS when set (the harness's server), otherwise starts the repository's own Temporal CLI
 * dev server. Set LIFELINE_RECORD_HISTORIES=1 to (re)write test/histories/*.json for the replay test.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { LifelineError, PHASES, PlanDocument, workflowIds, type IncidentInput, type PlanInput } from '@lifeline/contracts';
import { incidentWorkflow } from '../src/workflows';
import { ALL_SEARCH_ATTRIBUTE_KEYS, commandUpdate, statusQuery } from '../src/messages';
import { FakeServices, type Responders } from './fake-services';
import { pollUntil } from '@lifeline/testkit';

const REPO = join(__dirname, '..', '..');
/**
 * Histories are kept per generation of the workflow code: a new generation (after a change guarded by
 * `patched()`) is recorded into its own folder, and every older folder keeps replaying (docs/WORKFLOW-CHANGES.md).
 */
const GENERATION = 'v8';
const HISTORIES = join(__dirname, 'histories', GENERATION);
const RECORD = process.env.LIFELINE_RECORD_HISTORIES === '1';
const LIBRARY = join(REPO, 'services/command-center/plans');
const drillPlan = JSON.parse(readFileSync(join(LIBRARY, 'community-drill.json'), 'utf8')) as PlanInput;
const library = readdirSync(LIBRARY)
  .filter((f) => f.endsWith('.json'))
  .map((f) => PlanDocument.parse(JSON.parse(readFileSync(join(LIBRARY, f), 'utf8'))));

jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let services: FakeServices;
const taskQueue = `interpreter-test-${Date.now().toString(36)}`;
const run = Date.now().toString(36);

beforeAll(async () => {
  env = process.env.TEMPORAL_ADDRESS
    ? await TestWorkflowEnvironment.createFromExistingServer({ address: process.env.TEMPORAL_ADDRESS })
    : await TestWorkflowEnvironment.createLocal({
        server: { executable: { type: 'existing-path', path: join(REPO, '.tools/bin/temporal') }, searchAttributes: ALL_SEARCH_ATTRIBUTE_KEYS },
      });
  services = new FakeServices(env.client);
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath: require.resolve('../src/workflows'),
    activities: services.activities(),
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

/** The bundled drill plan with some fields changed (deadlines shortened so a test does not wait minutes). */
function planWith(change: (plan: PlanInput) => void) {
  const plan = structuredClone(drillPlan);
  change(plan);
  return PlanDocument.parse(plan);
}

async function startIncident(name: string, responders: Responders, plan = PlanDocument.parse(drillPlan), severity: IncidentInput['severity'] = 'II') {
  const incidentId = `${name}-${run}`;
  services.respond(incidentId, responders);
  const input: IncidentInput = { incidentId, title: `interpreter test: ${name}`, severity, drill: true, area: { districtIds: ['d-east', 'd-west'] }, plan, requestedBy: 'jest' };
  const handle = await env.client.workflow.start(incidentWorkflow, { workflowId: workflowIds.incident(incidentId), taskQueue, args: [input] });
  return { incidentId, handle };
}

const until = (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) => pollUntil(what, check, { timeoutMs, everyMs: 200 });

async function saveHistory(file: string, workflowId: string, runId?: string) {
  if (!RECORD) return;
  mkdirSync(HISTORIES, { recursive: true });
  const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  writeFileSync(join(HISTORIES, file), historyToJSON(history) + '\n');
}

/** Every run of one workflow id, via visibility (eventually consistent, so polled). */
async function runsOf(workflowId: string, atLeast: number) {
  let runs: { runId: string; phase?: string; startTime: Date }[] = [];
  await until(`${atLeast} runs of ${workflowId} are visible`, async () => {
    runs = [];
    for await (const wf of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      runs.push({ runId: wf.runId, phase: wf.typedSearchAttributes.get(ALL_SEARCH_ATTRIBUTE_KEYS[3]!) as string | undefined, startTime: wf.startTime });
    }
    return runs.length >= atLeast;
  });
  return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

/** The summaries a run's history shows (user metadata), with the event each is on: what the UI's event list reads. */
async function summariesOf(workflowId: string, runId?: string) {
  const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.userMetadata?.summary)
    .map((e) => ({ event: temporal.api.enums.v1.EventType[e.eventType!].replace('EVENT_TYPE_', ''), summary: defaultPayloadConverter.fromPayload<string>(e.userMetadata!.summary!) }));
}

/** Why an update was refused (the validator's message travels as the failure's cause). */
async function rejection(update: Promise<unknown>): Promise<string> {
  const err = await update.then(
    () => undefined,
    (e: unknown) => e as Error & { cause?: Error },
  );
  if (!err) throw new Error('the update was accepted');
  return `${err.message} / ${err.cause?.message ?? ''}`;
}

const updateEvents = async (handle: WorkflowHandle) =>
  ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes || e.workflowExecutionUpdateRejectedEventAttributes);

test('the drill plan walks warn → mobilize → respond → recover → review and closes completed', async () => {
  const { incidentId, handle } = await startIncident('drill', 'acknowledge-and-complete');
  const view = await handle.result();

  expect(view).toMatchObject({ phase: 'closed', status: 'completed', planId: 'community-drill', severity: 'II' });
  expect(view.areas.map((a) => a.communityId).sort()).toEqual(['c-harbour', 'c-hill', 'c-market']);
  expect(view.timeline.map((t) => t.what)).toEqual(expect.arrayContaining(['warn started', 'mobilize started', 'respond started', 'recover started', 'review started']));
  // Quantities scale with population and severity: harbour has 2,000 residents, severity II scales by 1.5.
  const harbourReserve = services.callsOf('reserveSupplies', incidentId).find((c) => c.body.communityId === 'c-harbour');
  expect(harbourReserve?.body.lines).toEqual([
    { itemCode: 'tent', quantity: 15 },
    { itemCode: 'medicine-kit', quantity: 30 },
    { itemCode: 'water-24', quantity: 60 },
  ]);
  // Idempotency keys are workflow id + step id, never attempt numbers.
  expect(harbourReserve?.body.idempotencyKey).toBe(`${workflowIds.community(incidentId, 'c-harbour')}:reserve-shelter-kits`);
  expect(services.callsOf('broadcast', incidentId).every((c) => c.body.drill === true)).toBe(true);
  expect(services.callsOf('issueSupplies', incidentId)).toHaveLength(3);
  expect(services.callsOf('returnSupplies', incidentId)).toHaveLength(3);
  expect(services.callsOf('awardPoints', incidentId).map((c) => c.body.cause)).toHaveLength(3);
  expect(services.callsOf('collectFigures', incidentId)).toHaveLength(1);

  const review = view.review!;
  expect(review.outcome).toBe('completed');
  expect(review.totals.personnel).toEqual({ tasks: 3, acknowledged: 3, done: 3, fallbacks: 0, missed: 0 });
  expect(review.totals.incentives).toEqual({ awards: 3, points: 60 });
  expect(review.totals.notification.jobs).toBe(6);
  expect(review.findings).toContainEqual({ communityId: 'c-market', finding: 'supplies short by 3 unit(s)' });
  // A drill ends in a readiness report: the shortfall, and the span-of-control finding personnel's check returned.
  expect(view.readiness).toMatchObject({ ready: false, shortfalls: [{ communityId: 'c-market', units: 3 }], unacknowledgedRoles: [] });
  expect(view.readiness?.spansOfControl).toEqual([expect.objectContaining({ communityId: 'c-harbour', code: 'span-people' })]);

  // The community ran only where a step waits on it after the district's own (patch `district-steps`): mobilize's
  // dispatch. Every notify, reserve and award step (patch `district-awards`) each district ran itself for its
  // communities, all districts first, with the community's own idempotency key: warn, mobilize's reserve, the whole
  // of respond (issue, award), the whole of recover.
  const communityId = workflowIds.community(incidentId, 'c-harbour');
  const runs = await runsOf(communityId, 1);
  expect(runs.map((r) => r.phase)).toEqual(['mobilize']);
  const awards = services.callsOf('awardPoints', incidentId);
  expect(awards.map((c) => String(c.body.idempotencyKey).replace(/:award-responders:.*$/, ':award-responders')).sort()).toEqual(
    ['c-harbour', 'c-hill', 'c-market'].map((c) => `${workflowIds.community(incidentId, c)}:award-responders`),
  );
  const warnings = services.callsOf('broadcast', incidentId).filter((c) => c.body.stepId === 'warn-residents');
  expect(warnings.map((c) => c.body.idempotencyKey).sort()).toEqual(['c-harbour', 'c-hill', 'c-market'].map((c) => `${workflowIds.community(incidentId, c)}:warn-residents`));
  expect(view.areas.every((a) => a.figures.notification.jobs === 2 && a.figures.notification.sent === 20)).toBe(true);
  const districtRuns = await runsOf(workflowIds.district(incidentId, 'd-east'), 5);
  expect(districtRuns.map((r) => r.phase)).toEqual(['warn', 'mobilize', 'mobilize', 'respond', 'recover']);
  // Every community's reservation was placed before any grid worker was dispatched.
  const order = services.calls.filter((c) => c.incidentId === incidentId).map((c) => c.activity);
  expect(order.filter((a) => a === 'reserveSupplies')).toHaveLength(3);
  expect(order.lastIndexOf('reserveSupplies')).toBeLessThan(order.indexOf('dispatchResponder'));

  await expectReadableHistories(incidentId, districtRuns[0]!.runId, districtRuns[1]!.runId, runs.find((r) => r.phase === 'mobilize')!.runId);

  await saveHistory('drill-incident.json', handle.workflowId);
  await saveHistory('drill-district-east.json', workflowIds.district(incidentId, 'd-east'));
  await saveHistory('drill-district-east-warn.json', workflowIds.district(incidentId, 'd-east'), districtRuns[0]!.runId);
  await saveHistory('drill-district-east-mobilize.json', workflowIds.district(incidentId, 'd-east'), districtRuns[1]!.runId);
  await saveHistory('drill-district-east-respond.json', workflowIds.district(incidentId, 'd-east'), districtRuns[3]!.runId);
  await saveHistory('drill-community-mobilize.json', communityId, runs.find((r) => r.phase === 'mobilize')?.runId);
});

/**
 * Every command and timer of the drill says what it does in the plan's words; nothing of the title or a message's
 * text. The district's warn: its broadcasts (local activities: the marker) and its one poll (an activity).
 */
async function expectReadableHistories(incidentId: string, eastWarnRun: string, eastReserveRun: string, harbourMobilizeRun: string) {
  const warn = await summariesOf(workflowIds.district(incidentId, 'd-east'), eastWarnRun);
  expect(warn).toEqual([
    { event: 'WORKFLOW_EXECUTION_STARTED', summary: 'warn · district d-east' },
    { event: 'MARKER_RECORDED', summary: 'warn-residents: broadcast to 2,000 residents of c-harbour by sms, app-push (drill)' },
    { event: 'MARKER_RECORDED', summary: 'warn-residents: broadcast to 500 residents of c-market by sms, app-push (drill)' },
    { event: 'ACTIVITY_TASK_SCHEDULED', summary: 'warn-residents: wait up to 600s for 2 broadcasts in district d-east to be sent' },
  ]);
  const reserve = await summariesOf(workflowIds.district(incidentId, 'd-east'), eastReserveRun);
  expect(reserve).toEqual([
    { event: 'WORKFLOW_EXECUTION_STARTED', summary: 'mobilize · district d-east' },
    { event: 'MARKER_RECORDED', summary: 'reserve-shelter-kits: reserve tent ×15, medicine-kit ×30, water-24 ×60 for 2,000 residents of c-harbour (severity II)' },
    { event: 'MARKER_RECORDED', summary: expect.stringMatching(/^reserve-shelter-kits: reserve tent ×\d+, medicine-kit ×\d+, water-24 ×\d+ for 500 residents of c-market \(severity II\)$/) },
  ]);
  const task = `task~${incidentId}~c-harbour~dispatch-grid-worker`;
  expect(await summariesOf(workflowIds.community(incidentId, 'c-harbour'), harbourMobilizeRun)).toEqual([
    { event: 'WORKFLOW_EXECUTION_STARTED', summary: 'mobilize · community c-harbour' },
    { event: 'MARKER_RECORDED', summary: 'dispatch-grid-worker: dispatch a grid-worker in c-harbour, to acknowledge within 120s' },
    // The responder acknowledged and finished in time: each deadline's timer is started, then cancelled.
    { event: 'TIMER_STARTED', summary: `dispatch-grid-worker: acknowledgement deadline 120s for task ${task} in c-harbour` },
    { event: 'TIMER_CANCELED', summary: `dispatch-grid-worker: acknowledgement deadline 120s for task ${task} in c-harbour` },
    { event: 'TIMER_STARTED', summary: `dispatch-grid-worker: completion deadline 600s for task ${task} in c-harbour` },
    { event: 'TIMER_CANCELED', summary: `dispatch-grid-worker: completion deadline 600s for task ${task} in c-harbour` },
  ]);
  const incident = await summariesOf(workflowIds.incident(incidentId));
  expect(incident.filter((s) => s.event !== 'START_CHILD_WORKFLOW_EXECUTION_INITIATED')).toEqual([
    { event: 'MARKER_RECORDED', summary: 'resolve the area: districts d-east, d-west' },
    { event: 'ACTIVITY_TASK_SCHEDULED', summary: 'collect-figures: collect figures from notification, supplies, personnel, incentives' },
    { event: 'ACTIVITY_TASK_SCHEDULED', summary: 'readiness: check spans of control and overlay gaps in districts d-east, d-west' },
  ]);
  expect(incident).toContainEqual({ event: 'START_CHILD_WORKFLOW_EXECUTION_INITIATED', summary: 'warn · district d-east' });
  const said = [...warn, ...incident].map((s) => s.summary).join('\n');
  expect(said).not.toContain('interpreter test');
  const { message } = drillPlan.phases.warn![0] as { message: { en: string; zh: string } };
  for (const words of [message.en, message.zh]) expect(said).not.toContain(words.slice(0, 12));
}

test('every bundled plan (one of each kind) runs to completed; its incident history is recorded for replay', async () => {
  expect(new Set(library.map((p) => p.kind))).toEqual(new Set(['comprehensive', 'natural-disaster', 'public-health', 'production-safety', 'food-safety']));
  const runs = await Promise.all(library.map(async (plan) => ({ plan, ...(await startIncident(`plan-${plan.id}`, 'acknowledge-and-complete', plan, 'II')) })));
  for (const { plan, handle, incidentId } of runs) {
    const view = await handle.result();
    expect({ plan: plan.id, phase: view.phase, status: view.status }).toEqual({ plan: plan.id, phase: 'closed', status: 'completed' });
    await saveHistory(`plan-${plan.id}-incident.json`, handle.workflowId);
    // open-site steps open sites through supplies (one call per community and step), closed when recover ends.
    const siteSteps = PHASES.flatMap((phase) => plan.phases[phase]).filter((s) => s.kind === 'open-site' && (!s.severities || s.severities.includes('II')));
    const opened = services.callsOf('openSites', incidentId);
    const closed = services.callsOf('closeSites', incidentId);
    expect(opened).toHaveLength(siteSteps.length * 3);
    expect(closed).toHaveLength(siteSteps.length * 3);
    for (const call of opened) {
      const step = siteSteps.find((s) => call.body.idempotencyKey === `${workflowIds.community(incidentId, call.body.communityId as string)}:${s.id}`);
      expect(step).toBeDefined();
      const population = { 'c-harbour': 2000, 'c-market': 500, 'c-hill': 1200 }[call.body.communityId as string]!;
      expect(call.body).toMatchObject({ siteKinds: (step as { siteKinds: string[] }).siteKinds, capacity: Math.ceil(population * (step as { capacityShare: number }).capacityShare), drill: true });
      const closing = closed.find((c) => c.body.communityId === call.body.communityId && String(c.body.idempotencyKey).endsWith(`:close-sites:${step!.id}`));
      expect(closing?.body.siteIds).toEqual((call.body.siteKinds as string[]).map((kind) => `${call.body.communityId as string}-${kind}`));
    }
    // A community whose sites hold fewer places than asked is a note, surfaced once per step in the timeline.
    for (const step of siteSteps) {
      const short = opened.filter((c) => String(c.body.idempotencyKey).endsWith(`:${step.id}`) && (c.body.capacity as number) > 100 * (c.body.siteKinds as string[]).length);
      expect(view.timeline.some((t) => t.what.startsWith(`${step.id}: noted in ${short.length} communit`))).toBe(short.length > 0);
    }
    // The community run of the first phase with an open-site step: guards the community workflow's site handling.
    const sitePhase = PHASES.find((phase) => plan.phases[phase].some((s) => s.kind === 'open-site'));
    if (sitePhase && RECORD) {
      const communityId = workflowIds.community(incidentId, 'c-harbour');
      const runs = await runsOf(communityId, 2);
      await saveHistory(`plan-${plan.id}-community-${sitePhase}.json`, communityId, runs.find((r) => r.phase === sitePhase)?.runId);
      // …and the recover run, which closes the sites.
      await saveHistory(`plan-${plan.id}-community-recover.json`, communityId, runs.find((r) => r.phase === 'recover')?.runId);
    }
  }
});

test('a poll that cannot reach notification keeps trying until it answers and counts the broadcast; a refusal fails the step at once', async () => {
  // More unanswered polls in a row than the three attempts a poll used to have (about 17 s of retries), as while
  // notification restarts; and a refusal, which no retry can change.
  services.failPolls('c-harbour-warn-residents', 5, new LifelineError('unavailable', 'notification did not answer lifeline.notification.jobs: 503'));
  services.failPolls('c-hill-warn-residents', 1, new LifelineError('not_found', 'no broadcast job job-c-hill-warn-residents'));
  const { handle } = await startIncident('poll-outage', 'acknowledge-and-complete');
  const view = await handle.result();

  expect(view).toMatchObject({ phase: 'closed', status: 'completed' });
  const sent = (communityId: string) => view.areas.find((a) => a.communityId === communityId)!.figures.notification;
  // d-east's one poll covers harbour and market: both warnings counted once it got through.
  expect(sent('c-harbour')).toMatchObject({ jobs: 2, sent: 20 });
  expect(sent('c-market')).toMatchObject({ jobs: 2, sent: 20 });
  // Only notification's own refusal makes the step fail: hill's warning is a finding and is not counted.
  expect(sent('c-hill')).toMatchObject({ jobs: 2, sent: 10 });
  const warnFindings = view.review!.findings.filter((f) => f.finding.includes('warn-residents'));
  expect(warnFindings).toEqual([{ communityId: 'c-hill', finding: expect.stringMatching(/^warn\/warn-residents: failed \(not_found: /) }]);
  const harbourPolls = services.calls.filter((c) => c.activity === 'awaitBroadcasts' && (c.body.jobIds as string[]).includes('job-c-harbour-warn-residents'));
  expect(harbourPolls.length).toBeGreaterThanOrEqual(6);
});

test('a responder who never acknowledges triggers the fallback, then a missed acknowledgement', async () => {
  const plan = planWith((p) => {
    const dispatch = p.phases.mobilize!.find((s) => s.kind === 'dispatch') as { ackDeadlineSeconds: number; maxFallbacks: number };
    dispatch.ackDeadlineSeconds = 1;
    dispatch.maxFallbacks = 1;
  });
  const { incidentId, handle } = await startIncident('no-ack', 'never-acknowledge', plan);
  const view = await handle.result();

  expect(view).toMatchObject({ phase: 'closed', status: 'completed' });
  const fallbacks = services.callsOf('fallbackResponder', incidentId);
  expect(fallbacks).toHaveLength(3);
  expect(fallbacks.map((c) => c.body.idempotencyKey)).toContain(`${workflowIds.community(incidentId, 'c-hill')}:dispatch-grid-worker:fallback:1`);
  expect(view.review!.totals.personnel).toMatchObject({ tasks: 3, acknowledged: 0, done: 0, fallbacks: 3, missed: 3 });
  expect(view.review!.findings).toContainEqual({ communityId: 'c-hill', finding: '1 missed acknowledgement(s)' });
  expect(services.callsOf('awardPoints', incidentId)).toHaveLength(0);

  const hill = workflowIds.community(incidentId, 'c-hill');
  const mobilize = (await runsOf(hill, 1)).find((r) => r.phase === 'mobilize')?.runId;
  const task = `task~${incidentId}~c-hill~dispatch-grid-worker`;
  expect((await summariesOf(hill, mobilize)).filter((s) => s.event !== 'TIMER_FIRED')).toEqual(
    expect.arrayContaining([
      { event: 'MARKER_RECORDED', summary: `dispatch-grid-worker: page backup 1 for the grid-worker task ${task} in c-hill` },
      { event: 'TIMER_STARTED', summary: `dispatch-grid-worker: acknowledgement deadline 1s for task ${task} in c-hill (backup 1)` },
    ]),
  );
  await saveHistory('missed-ack-community-mobilize.json', hill, mobilize);
});

test('a task that may still be completed keeps the awards in community runs, which hear a late completion (patch district-awards)', async () => {
  const plan = planWith((p) => {
    const dispatch = p.phases.mobilize!.find((s) => s.kind === 'dispatch') as { completionDeadlineSeconds: number };
    dispatch.completionDeadlineSeconds = 2;
  });
  const { incidentId, handle } = await startIncident('open-task', 'acknowledge-only', plan);
  const view = await handle.result();

  expect(view).toMatchObject({ phase: 'closed', status: 'completed' });
  expect(view.review!.totals.personnel).toMatchObject({ tasks: 3, acknowledged: 3, done: 0 });
  const runs = await runsOf(workflowIds.community(incidentId, 'c-harbour'), 2);
  expect(runs.map((r) => r.phase).sort()).toEqual(['mobilize', 'respond']);
  expect(services.callsOf('awardPoints', incidentId)).toHaveLength(0);
});

test('a missed acknowledgement under rule escalate-severity raises the severity once, then pages backups', async () => {
  const plan = planWith((p) => {
    const dispatch = p.phases.mobilize!.find((s) => s.kind === 'dispatch') as { ackDeadlineSeconds: number; onDeadline: string; maxFallbacks: number };
    dispatch.ackDeadlineSeconds = 1;
    dispatch.maxFallbacks = 1;
    dispatch.onDeadline = 'escalate-severity';
  });
  const { incidentId, handle } = await startIncident('escalate-rule', 'never-acknowledge', plan, 'III');
  const view = await handle.result();

  expect(view).toMatchObject({ phase: 'closed', status: 'completed', severity: 'II' });
  const escalations = view.timeline.filter((t) => t.what.includes('rule escalate-severity'));
  expect(escalations).toHaveLength(1);
  expect(escalations[0]!.what).toMatch(/severity III → II/);
  expect(view.review!.totals.personnel).toMatchObject({ tasks: 3, fallbacks: 3, missed: 3 });
  // Later fan-outs run at the raised severity.
  expect(services.callsOf('broadcast', incidentId).filter((c) => c.body.stepId !== 'warn-residents').every((c) => c.body.severity === 'II')).toBe(true);
  const listed = await runsOf(handle.workflowId, 1);
  expect(listed).toHaveLength(1);
  const described = await handle.describe();
  expect(described.typedSearchAttributes.get(ALL_SEARCH_ATTRIBUTE_KEYS[2]!)).toBe('II');
  const hill = workflowIds.community(incidentId, 'c-hill');
  await saveHistory('escalate-rule-community-mobilize.json', hill, (await runsOf(hill, 1)).find((r) => r.phase === 'mobilize')?.runId);
  await saveHistory('escalate-rule-incident.json', handle.workflowId);
});

test('a missed acknowledgement under rule ask-commander opens one gate the commander decides', async () => {
  const plan = planWith((p) => {
    const dispatch = p.phases.mobilize!.find((s) => s.kind === 'dispatch') as { id: string; ackDeadlineSeconds: number; onDeadline: string };
    dispatch.ackDeadlineSeconds = 1;
    dispatch.onDeadline = 'ask-commander';
  });
  const { incidentId, handle } = await startIncident('ask-commander', 'never-acknowledge', plan);
  const gateId = 'mobilize:dispatch-grid-worker';
  await until('three communities wait at the gate', async () => (await handle.query(statusQuery)).gates?.[0]?.communities === 3);
  const open = (await handle.query(statusQuery)).gates!;
  expect(open).toEqual([expect.objectContaining({ gateId, status: 'open', options: ['page-backup', 'accept-miss'] })]);

  expect(await rejection(handle.executeUpdate(commandUpdate, { args: [{ type: 'decide', reason: 'x', gateId, decision: 'shrug' }] }))).toMatch(/one of page-backup, accept-miss/);
  expect(await rejection(handle.executeUpdate(commandUpdate, { args: [{ type: 'decide', reason: 'x', gateId: 'warn:nothing', decision: 'accept-miss' }] }))).toMatch(/no gate warn:nothing/);
  expect(await updateEvents(handle)).toHaveLength(0);
  await handle.executeUpdate(commandUpdate, { args: [{ type: 'decide', reason: 'no backups tonight', gateId, decision: 'accept-miss' }] });
  const view = await handle.result();

  expect(view).toMatchObject({ phase: 'closed', status: 'completed' });
  expect(view.gates).toEqual([expect.objectContaining({ gateId, status: 'decided', decision: 'accept-miss', communities: 3 })]);
  expect(view.review!.totals.personnel).toMatchObject({ tasks: 3, fallbacks: 0, missed: 3 });
  expect(services.callsOf('fallbackResponder', incidentId)).toHaveLength(0);
  expect(view.readiness?.unacknowledgedRoles).toEqual([expect.objectContaining({ role: 'grid-worker', stepId: 'dispatch-grid-worker', missed: 3 })]);
  await saveHistory('ask-commander-incident.json', handle.workflowId);
});

test('await steps: a quorum of acknowledgements, then a decision gate', async () => {
  const plan = planWith((p) => {
    p.phases.respond = [
      { id: 'quorum-acks', kind: 'await', for: 'quorum', quorum: { share: 1 }, seconds: 30, title: { zh: '确认到岗', en: 'Everyone acknowledged' } },
      { id: 'go-ahead', kind: 'await', for: 'decision', question: { zh: '是否继续？', en: 'Proceed to respond?' }, title: { zh: '指挥部决定', en: 'Commander decides' } },
      ...(p.phases.respond ?? []),
    ];
  });
  const { handle } = await startIncident('awaits', 'acknowledge-and-complete', plan, 'IV');
  await until('the decision gate is open', async () => (await handle.query(statusQuery)).gates?.some((g) => g.gateId === 'respond:go-ahead') ?? false);
  const waiting = await handle.query(statusQuery);
  expect(waiting.timeline.map((t) => t.what)).toContain('quorum-acks: quorum reached (100%)');
  await handle.executeUpdate(commandUpdate, { args: [{ type: 'decide', reason: 'all in place', gateId: 'respond:go-ahead', decision: 'proceed' }] });
  const view = await handle.result();
  expect(view).toMatchObject({ phase: 'closed', status: 'completed' });
  await saveHistory('awaits-incident.json', handle.workflowId);
});

test('stand-down mid-incident cancels child work, runs the compensations and closes cancelled', async () => {
  const plan = planWith((p) => {
    const dispatch = p.phases.mobilize!.find((s) => s.kind === 'dispatch') as { ackDeadlineSeconds: number };
    dispatch.ackDeadlineSeconds = 3600; // the communities will still be waiting when the stand-down arrives
  });
  const { incidentId, handle } = await startIncident('stand-down', 'never-acknowledge', plan);
  await until('every community dispatched a responder', () => services.callsOf('dispatchResponder', incidentId).length === 3);

  const result = await handle.executeUpdate(commandUpdate, { args: [{ type: 'stand-down', reason: 'false alarm' }] });
  expect(result).toEqual({ accepted: true, phase: 'mobilize', severity: 'II' });
  const view = await handle.result();

  expect(view).toMatchObject({ phase: 'closed', status: 'cancelled' });
  expect(view.review!.outcome).toBe('stood-down');
  const releases = services.callsOf('releaseSupplies', incidentId);
  expect(releases.map((c) => c.body.idempotencyKey).sort()).toEqual(
    ['c-harbour', 'c-hill', 'c-market'].map((c) => `${workflowIds.community(incidentId, c)}:stand-down:reserve-shelter-kits`),
  );
  expect(services.callsOf('issueSupplies', incidentId)).toHaveLength(0);
  expect(services.callsOf('standDownResponders', incidentId)).toHaveLength(1);
  const allClear = services.callsOf('broadcast', incidentId).filter((c) => c.body.stepId === 'stand-down-all-clear');
  expect(allClear.map((c) => c.body.communityId).sort()).toEqual(['c-harbour', 'c-hill', 'c-market']);
  expect(view.timeline.map((t) => t.what)).toContain('stand-down: supplies released or returned, all-clear sent');
  expect(view.timeline.map((t) => t.what)).not.toContain('respond started');
  // The compensation's history says what it undoes: the latest run of a community id is its stand-down run.
  expect(await summariesOf(workflowIds.community(incidentId, 'c-harbour'))).toEqual([
    { event: 'WORKFLOW_EXECUTION_STARTED', summary: 'stand-down · community c-harbour' },
    { event: 'MARKER_RECORDED', summary: 'stand-down: release 105 units reserved by reserve-shelter-kits in c-harbour' },
    { event: 'MARKER_RECORDED', summary: 'stand-down-all-clear: broadcast to 2,000 residents of c-harbour by sms, app-push (drill)' },
  ]);
  expect(await summariesOf(handle.workflowId)).toContainEqual({ event: 'ACTIVITY_TASK_SCHEDULED', summary: "stand-down: stand down the incident's open tasks" });

  await saveHistory('stand-down-incident.json', handle.workflowId);
});

test('a stand-down closes the sites an open-site step opened (compensation)', async () => {
  const plan = planWith((p) => {
    const dispatch = p.phases.mobilize!.find((s) => s.kind === 'dispatch') as { ackDeadlineSeconds: number };
    dispatch.ackDeadlineSeconds = 3600; // the communities will still be waiting when the stand-down arrives
    p.phases.mobilize = [
      { id: 'open-assembly', kind: 'open-site', title: { zh: '开放应急避难场所', en: 'Open assembly sites' }, siteKinds: ['park', 'square'], capacityShare: 0.05 },
      ...p.phases.mobilize!,
    ];
  });
  const { incidentId, handle } = await startIncident('sites-stand-down', 'never-acknowledge', plan);
  await until('every community dispatched a responder', () => services.callsOf('dispatchResponder', incidentId).length === 3);
  expect(services.callsOf('openSites', incidentId)).toHaveLength(3);
  expect(services.callsOf('closeSites', incidentId)).toHaveLength(0);

  await handle.executeUpdate(commandUpdate, { args: [{ type: 'stand-down', reason: 'false alarm' }] });
  const view = await handle.result();
  expect(view).toMatchObject({ phase: 'closed', status: 'cancelled' });
  const closed = services.callsOf('closeSites', incidentId);
  expect(closed.map((c) => c.body.idempotencyKey).sort()).toEqual(
    ['c-harbour', 'c-hill', 'c-market'].map((c) => `${workflowIds.community(incidentId, c)}:stand-down-close-sites:open-assembly`),
  );
  expect(closed.find((c) => c.body.communityId === 'c-hill')?.body.siteIds).toEqual(['c-hill-park', 'c-hill-square']);
  // The harbour's 2,000 residents × 0.05 = 100 places fit in two 100-place sites: no shortfall note.
  expect(view.review!.findings.filter((f) => f.finding.includes('sites short'))).toEqual([]);

  await saveHistory('sites-stand-down-incident.json', handle.workflowId);
  const harbour = workflowIds.community(incidentId, 'c-harbour');
  const runs = await runsOf(harbour, 2);
  await saveHistory('sites-stand-down-community-mobilize.json', harbour, runs.find((r) => r.phase === 'mobilize')?.runId);
});

test('sites are closed when recover ends even if recover has no community steps', async () => {
  const plan = planWith((p) => {
    p.phases.mobilize = [
      { id: 'open-assembly', kind: 'open-site', title: { zh: '开放应急避难场所', en: 'Open assembly sites' }, siteKinds: ['park'], capacityShare: 0.01 },
      ...p.phases.mobilize!,
    ];
    p.phases.recover = [];
  });
  const { incidentId, handle } = await startIncident('sites-recover', 'acknowledge-and-complete', plan);
  const view = await handle.result();
  expect(view).toMatchObject({ phase: 'closed', status: 'completed' });
  const closed = services.callsOf('closeSites', incidentId);
  expect(closed.map((c) => c.body.idempotencyKey).sort()).toEqual(['c-harbour', 'c-hill', 'c-market'].map((c) => `${workflowIds.community(incidentId, c)}:close-sites:open-assembly`));
  expect(view.timeline.map((t) => t.what)).toContain('sites closed in 3 communities');
  // Without open sites there is no such fan-out: the drill plan's recover has steps, and nothing else ran.
  expect(view.areas.every((a) => a.lastPhase === 'recover')).toBe(true);
});

test('more sites than one close command takes are closed in chunks of 100, none left open', async () => {
  const plan = planWith((p) => {
    p.phases.mobilize = [
      { id: 'open-schools', kind: 'open-site', title: { zh: '开放学校安置点', en: 'Open schools as shelters' }, siteKinds: ['school'], capacityShare: 0.75 },
      ...p.phases.mobilize!,
    ];
  });
  const { incidentId, handle } = await startIncident('sites-chunks', 'acknowledge-and-complete', plan);
  await expect(handle.result()).resolves.toMatchObject({ phase: 'closed', status: 'completed' });
  const harbour = workflowIds.community(incidentId, 'c-harbour');
  const opened = services.callsOf('openSites', incidentId).filter((c) => c.body.communityId === 'c-harbour');
  expect(opened).toHaveLength(1);
  const closed = services.callsOf('closeSites', incidentId).filter((c) => c.body.communityId === 'c-harbour');
  // 2,000 residents × 0.75 = 1,500 places = 150 ten-place school sites: two close commands, 100 + 50.
  const expected = Array.from({ length: 150 }, (_, i) => `c-harbour-school-${i}`);
  expect(closed.flatMap((c) => c.body.siteIds ?? [])).toEqual(expected);
  expect(closed.map((c) => [c.body.idempotencyKey, (c.body.siteIds as string[] | undefined)?.length])).toEqual([
    [`${harbour}:close-sites:open-schools`, 100],
    [`${harbour}:close-sites:open-schools:1`, 50],
  ]);
});

test('an impossible command is rejected by the validator and leaves no event in history', async () => {
  const plan = planWith((p) => {
    p.phases.warn = [{ id: 'await-commander', kind: 'await', for: 'operator', title: { zh: '等待指挥部确认', en: 'Wait for the commander' } }, ...(p.phases.warn ?? [])];
  });
  const { handle } = await startIncident('commands', 'acknowledge-and-complete', plan, 'IV');
  await until('the incident waits for the operator', async () => (await handle.query(statusQuery)).timeline.some((t) => t.what.includes('waiting for the operator')));

  expect(await rejection(handle.executeUpdate(commandUpdate, { args: [{ type: 'deescalate', reason: 'calmer' }] }))).toMatch(/IV is the lowest level/);
  expect(await rejection(handle.executeUpdate(commandUpdate, { args: [{ type: 'escalate' } as never] }))).toMatch(/invalid command: reason/);
  expect(await updateEvents(handle)).toHaveLength(0);

  await expect(handle.executeUpdate(commandUpdate, { args: [{ type: 'escalate', reason: 'river rising' }] })).resolves.toEqual({ accepted: true, phase: 'warn', severity: 'III' });
  await expect(handle.executeUpdate(commandUpdate, { args: [{ type: 'advance', reason: 'confirmed' }] })).resolves.toMatchObject({ accepted: true });
  expect((await updateEvents(handle)).length).toBeGreaterThan(0);
  const view = await handle.result();
  expect(view).toMatchObject({ phase: 'closed', status: 'completed', severity: 'III' });
  await expect(handle.executeUpdate(commandUpdate, { args: [{ type: 'advance', reason: 'too late' }] })).rejects.toThrow();
});
