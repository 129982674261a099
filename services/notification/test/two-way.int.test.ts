import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { notification, personnel, STREAMS } from '@lifeline/contracts';
import { call, decodeJson } from '@lifeline/platform';
import { validateCap } from './cap-schema';
import { completed, eventually, gatewayRecords, openFixture, rawRequest, residents, type Fixture } from './fixtures';

/** A drill incident told to a community, and what residents answer: safe, need help, silence. */
const run = randomUUID().slice(0, 8);
const communityId = `c-tw-${run}`;
const incidentId = `inc-tw-${run}`;
const people = residents(run, communityId, 30, { grids: 2, buildings: 5 });
const vulnerable = people.filter((p) => p.vulnerabilities.length > 0).map((p) => p.id);
const SECRET_TEXT = '张三 13900001111 家里停水三天了';
let f: Fixture;
let jobId: string;

const lastEvent = async (subject: string) => {
  const jsm = await jetstreamManager(f.nc);
  const m = await jsm.streams.getMessage(STREAMS.events.name, { last_by_subj: subject });
  return decodeJson(m!.data) as { id: string; data: Record<string, unknown> };
};

beforeAll(async () => {
  f = await openFixture('notification-two-way-test');
  await call(f.nc, notification.simulator, { failureRate: {}, failFor: [], delayMs: 0 });
  await call(f.nc, notification.seed, { residents: people }, { timeoutMs: 60_000 });
  await call(f.nc, personnel.seed, {
    units: [{ id: communityId, level: 'community', name: { zh: '双向社区', en: 'Two-way community' }, population: people.length }],
    people: Array.from({ length: 5 }, (_, i) => ({ id: `gw-${run}-${i}`, type: 'grid-worker' as const, communityId, gridId: `g-${i % 2}`, name: `网格员${i}`, phone: `1360000000${i}` })),
  });
  const job = await call(f.nc, notification.broadcast, {
    idempotencyKey: `wf-${run}:warn:everyone`,
    incidentId,
    stepId: 'warn-everyone',
    communityId,
    audience: { groups: ['everyone'] },
    channels: ['sms'],
    message: { zh: '暴雨预警：请回复 1 报平安，回复 2 求助。', en: 'Rainstorm warning: reply 1 if safe, 2 if you need help.' },
    severity: 'II',
    drill: true,
  });
  jobId = (await completed(f.nc, job.jobId)).jobId;
});

afterAll(async () => {
  await f?.close();
});

describe('a resident who needs help', () => {
  it('"need help" becomes a case, a grid-worker task through personnel, and an answer back once the task is done', async () => {
    const resident = people[3]!;
    const reply = { idempotencyKey: `sms-in-${run}-1`, incidentId, residentId: resident.id, kind: 'need-help' as const, category: 'water' as const, text: SECRET_TEXT };
    const first = await call(f.nc, notification.reply, reply);
    expect(first).toMatchObject({ kind: 'need-help', caseId: expect.stringMatching(/^case-/) });
    expect(await call(f.nc, notification.reply, reply)).toEqual(first);

    const opened = await call(f.nc, notification.case, { caseId: first.caseId! });
    expect(opened).toMatchObject({ incidentId, residentId: resident.id, communityId, gridId: resident.gridId, category: 'water', taskId: expect.any(String) });
    const tasks = await f.db.useDb('lifeline_personnel').collection('tasks').find({ incidentId, stepId: first.caseId }).toArray();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ role: 'grid-worker', communityId });

    // Drill responders acknowledge and complete the task; the completion closes the case and the resident is told.
    const closed = await eventually('the case to close', async () => {
      const c = await call(f.nc, notification.case, { caseId: first.caseId! });
      return c.status === 'closed' ? c : undefined;
    });
    expect(closed).toMatchObject({ taskId: opened.taskId, answerMessageId: expect.any(String), closedAt: expect.any(String) });
    const answers = await f.db.collection('direct_messages').find({ incidentId, recipientId: resident.id, purpose: 'case-answer' }).toArray();
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ status: 'sent', drill: true });
    const toResident = (await gatewayRecords(f.db, incidentId)).filter((r) => r.residentId === resident.id);
    expect(toResident).toHaveLength(2); // the warning, then the answer
    expect((await lastEvent('lifeline.evt.notification.reply-received')).data).not.toHaveProperty('text');
    expect((await lastEvent('lifeline.evt.notification.case-closed')).data).toMatchObject({ caseId: first.caseId, status: 'closed' });
    expect(await f.db.collection('cases').countDocuments({ incidentId })).toBe(1);
  });

  it('the free text is stored only sealed and never written to the logs', async () => {
    const raw = await f.db.collection<Record<string, unknown>>('replies').findOne({ idempotencyKey: `sms-in-${run}-1` });
    expect(String(raw!.text)).toMatch(/^pii1:/);
    expect(f.vault.open(String(raw!.text))).toBe(SECRET_TEXT);
    expect(JSON.stringify(raw)).not.toContain('13900001111');
    const logFile = path.resolve(process.cwd(), process.env.LIFELINE_DATA_DIR ?? '.data', 'logs', 'notification.log');
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).toContain(`"replyId":"${raw!._id}"`);
    expect(log).not.toContain('13900001111');
    expect(log).not.toContain('张三');
  });
});

describe('residents who stay silent', () => {
  it('vulnerable residents who did not reply safe become door-knock tasks, once', async () => {
    for (const id of vulnerable.slice(0, 2)) await call(f.nc, notification.reply, { idempotencyKey: `sms-in-${run}-safe-${id}`, incidentId, residentId: id, kind: 'safe' });
    const escalated = await call(f.nc, notification.escalateUnconfirmed, { idempotencyKey: `wf-${run}:respond:door-knock`, jobId });
    expect(escalated).toMatchObject({ unconfirmed: vulnerable.length - 2, doorKnocks: vulnerable.length - 2 });
    const again = await call(f.nc, notification.escalateUnconfirmed, { idempotencyKey: `wf-${run}:respond:door-knock`, jobId });
    expect(again.taskIds.sort()).toEqual(escalated.taskIds.sort());
    const tasks = await f.db.useDb('lifeline_personnel').collection('tasks').find({ incidentId, stepId: 'door-knock' }).toArray();
    expect(tasks).toHaveLength(vulnerable.length - 2);
    expect(JSON.stringify(tasks)).not.toMatch(/和平路|137\d{8}/);
  });

  it('the summary carries replies, cases and door-knocks for the review', async () => {
    const summary = await call(f.nc, notification.summary, { incidentId });
    expect(summary).toMatchObject({ repliesByKind: { 'need-help': 1, safe: 2 }, cases: { opened: 1, closed: 1 }, doorKnocks: vulnerable.length - 2, sent: people.length });
    // Direct messages are personnel's task messages to grid workers; the answer to the resident is not one of them.
    const messages = await f.db.collection('direct_messages').find({ incidentId }).toArray();
    expect(messages.filter((m) => m.purpose === 'case-answer')).toHaveLength(1);
    expect(summary.direct).toBe(messages.length - 1);
    expect(summary.direct).toBeGreaterThanOrEqual(1);
    expect(summary.cases!.medianSecondsToClose).toBeGreaterThan(0);
    expect(summary.timeToReach!.p100).toBeGreaterThanOrEqual(summary.timeToReach!.p90);
  });
});

describe('bulletins and CAP', () => {
  it('a rumour rebuttal reaches only the area’s subscribers', async () => {
    for (const p of people.slice(0, 3)) await call(f.nc, notification.subscribe, { residentId: p.id, communityId });
    await call(f.nc, notification.subscribe, { residentId: people[2]!.id, communityId, subscribed: false });
    const request = { idempotencyKey: `wf-${run}:recover:rebut-1`, incidentId, communityId, kind: 'rumour-rebuttal' as const, rumour: { zh: '水库要决堤', en: 'the reservoir will burst' }, message: { zh: '水库安全，请勿轻信。', en: 'The reservoir is safe.' }, severity: 'II' as const, drill: true };
    const bulletin = await call(f.nc, notification.bulletin, request);
    expect(bulletin).toMatchObject({ subscribers: 2, kind: 'rumour-rebuttal' });
    expect(await call(f.nc, notification.bulletin, request)).toEqual(bulletin);
    expect(await completed(f.nc, bulletin.jobId)).toMatchObject({ sent: 2 });
    const bad = await rawRequest(f.nc, notification.bulletin.subject, { ...request, idempotencyKey: `wf-${run}:recover:rebut-2`, rumour: undefined });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await f.db.collection('bulletins').countDocuments({ idempotencyKey: `wf-${run}:recover:rebut-2` })).toBe(0);
  });

  it('the broadcast is a valid CAP 1.2 exercise alert with zh-CN and en', async () => {
    const cap = await call(f.nc, notification.cap, { jobId });
    const result = await validateCap(cap.xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(cap.xml).toContain('<status>Exercise</status>');
    expect(cap.xml).toContain(`<incidents>${incidentId}</incidents>`);
    await expect(call(f.nc, notification.cap, { jobId: 'bcast-missing' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('bad replies', () => {
  it('get structured errors and write nothing', async () => {
    const base = { idempotencyKey: `sms-in-${run}-bad`, incidentId, residentId: people[5]!.id };
    const noCategory = await rawRequest(f.nc, notification.reply.subject, { ...base, kind: 'info' });
    expect(noCategory).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(noCategory.error!.details!.map((d) => d.path)).toContain('category');
    const badKind = await rawRequest(f.nc, notification.reply.subject, { ...base, kind: 'maybe' });
    expect(badKind.error!.details!.map((d) => d.path)).toContain('kind');
    await expect(call(f.nc, notification.reply, { ...base, residentId: 'r-nobody', kind: 'safe' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call(f.nc, notification.reply, { ...base, incidentId: 'inc-never', kind: 'safe' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await f.db.collection('replies').countDocuments({ idempotencyKey: base.idempotencyKey })).toBe(0);
    const early = await call(f.nc, notification.broadcast, {
      idempotencyKey: `wf-${run}:warn:deadline`,
      incidentId,
      stepId: 'warn-deadline',
      communityId,
      audience: { groups: ['vulnerable'] },
      channels: ['sms'],
      message: { zh: '请报平安', en: 'Please confirm you are safe' },
      severity: 'II',
      drill: true,
      confirmWithinMinutes: 60,
    });
    await expect(call(f.nc, notification.escalateUnconfirmed, { idempotencyKey: `wf-${run}:deadline:knock`, jobId: early.jobId })).rejects.toMatchObject({ code: 'invalid_state' });
    expect(await f.db.collection('door_knocks').countDocuments({ jobId: early.jobId })).toBe(0);
  });
});
