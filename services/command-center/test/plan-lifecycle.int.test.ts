import { buildCity, env, http, sendCity, tokenFor, withNats } from '@lifeline/testkit';
import { gatedPlan } from './support/gated-plan';

/**
 * The version lifecycle through the running command-center and workflow: a published version is a draft no real
 * incident runs; a commander other than its author approves it; new incidents start on the latest approved version
 * (the workflow's own view says which); a drill may name a draft; a retired version never starts; every step audited.
 */
jest.setTimeout(150_000);

const city = buildCity({ communities: 1, residents: 20, seed: 71, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;
const v1 = gatedPlan(1);
const planId = v1.id;

type Answer<T = unknown> = { status: number; body: T & { error?: { code: string; message: string } } };
/** Call as a named commander (two people, so one may approve the other's version). */
async function as<T = unknown>(subject: string, method: string, path: string, body?: unknown, role: 'commander' | 'operator' | 'admin' | 'auditor' = 'commander'): Promise<Answer<T>> {
  const res = await fetch(`${env.http}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokenFor(role, subject)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer<T>['body'] };
}
const versions = async () => (await http<{ versions: { version: number; status: string; approvedBy?: string; retiredBy?: string }[] }>('GET', `/v1/plans/${planId}`, 'auditor')).body.versions;
const started: string[] = [];
/** Start an incident; when it starts, the workflow's own view says which version it runs. */
async function start(extra: { planVersion?: number; drill: boolean }): Promise<{ status: number; code?: string; runs?: number }> {
  const answer = await as<{ incidentId: string }>('ops-1', 'POST', '/v1/incidents', { planId, severity: 'IV', area: { communityIds: [community.id] }, title: 'Lifecycle test', ...extra }, 'operator');
  if (answer.status !== 202) return { status: answer.status, code: answer.body.error?.code };
  started.push(answer.body.incidentId);
  const view = await http<{ planVersion: number }>('GET', `/v1/incidents/${answer.body.incidentId}`, 'auditor');
  return { status: answer.status, runs: view.body.planVersion };
}

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
  expect((await as('author-a', 'POST', '/v1/plans', { plan: v1 })).status).toBe(201);
});

afterAll(async () => {
  for (const id of started) await http('POST', `/v1/incidents/${id}/commands`, 'commander', { type: 'stand-down', reason: 'lifecycle test done' });
});

describe('plan version lifecycle', () => {
  it('a new plan is a draft: no incident starts on it, not even a drill, unless the drill names it', async () => {
    expect(await versions()).toEqual([expect.objectContaining({ version: 1, status: 'draft' })]);
    expect(await start({ drill: false })).toMatchObject({ status: 409, code: 'invalid_state' });
    expect(await start({ drill: true })).toMatchObject({ status: 409, code: 'invalid_state' });
    expect(await start({ planVersion: 1, drill: false })).toMatchObject({ status: 409, code: 'invalid_state' });
    expect(await start({ planVersion: 1, drill: true })).toEqual({ status: 202, runs: 1 });
  });

  it('its author may not approve it; another commander does, and incidents then run it', async () => {
    const own = await as('author-a', 'POST', `/v1/plans/${planId}/versions/1/approve`, {});
    expect([own.status, own.body.error?.code]).toEqual([403, 'forbidden']);
    expect((await as('ops-1', 'POST', `/v1/plans/${planId}/versions/1/approve`, {}, 'operator')).status).toBe(403);
    const approved = await as<{ version: { status: string; approvedBy: string; author: string } }>('reviewer-b', 'POST', `/v1/plans/${planId}/versions/1/approve`, { note: 'read it twice' });
    expect([approved.status, approved.body.error]).toEqual([200, undefined]);
    expect(approved.body.version).toMatchObject({ status: 'approved', approvedBy: 'reviewer-b', author: 'author-a' });
    expect((await as('reviewer-c', 'POST', `/v1/plans/${planId}/versions/1/approve`, {})).status).toBe(409);
    expect(await start({ drill: false })).toEqual({ status: 202, runs: 1 });
  });

  it('a newer draft is never run by default; a drill may name it, a real incident may not', async () => {
    const v2 = { ...v1, title: { zh: '控制台测试（第二版）', en: 'Console test, second version' }, severityScaling: { ...v1.severityScaling, I: 2.5 } };
    expect((await as('reviewer-b', 'POST', `/v1/plans/${planId}/versions`, { plan: v2 })).status).toBe(201);
    expect(await start({ drill: false })).toEqual({ status: 202, runs: 1 });
    expect(await start({ drill: true })).toEqual({ status: 202, runs: 1 });
    expect(await start({ planVersion: 2, drill: true })).toEqual({ status: 202, runs: 2 });
    expect(await start({ planVersion: 2, drill: false })).toMatchObject({ status: 409, code: 'invalid_state' });
  });

  it('the diff of two versions names each changed path, in JSON and as text', async () => {
    const diff = await http<{ from: number; to: number; changes: { path: string; change: string; from?: unknown; to?: unknown }[]; text: string }>('GET', `/v1/plans/${planId}/versions/1/diff/2`, 'auditor');
    expect(diff.status).toBe(200);
    expect(diff.body.changes).toEqual(
      expect.arrayContaining([
        { path: 'title.en', change: 'changed', from: v1.title.en, to: 'Console test, second version' },
        { path: 'severityScaling.I', change: 'changed', from: 2, to: 2.5 },
      ]),
    );
    expect(diff.body.changes).toHaveLength(3);
    expect(diff.body.text).toContain('~ severityScaling.I: 2 → 2.5');
    expect((await http('GET', `/v1/plans/${planId}/versions/1/diff/9`, 'auditor')).status).toBe(404);
    expect((await http('GET', `/v1/plans/${planId}/versions/0/diff/2`, 'auditor')).status).toBe(400);
  });

  it('a retired version never starts again; approving the next one makes it the one incidents run', async () => {
    expect((await as('reviewer-b', 'POST', `/v1/plans/${planId}/versions/1/retire`, {})).status).toBe(400);
    const retired = await as<{ version: { status: string; retiredBy: string } }>('reviewer-b', 'POST', `/v1/plans/${planId}/versions/1/retire`, { reason: 'superseded by v2' });
    expect([retired.status, retired.body.version.status, retired.body.version.retiredBy]).toEqual([200, 'retired', 'reviewer-b']);
    expect((await as('reviewer-b', 'POST', `/v1/plans/${planId}/versions/1/retire`, { reason: 'again' })).status).toBe(409);
    expect(await start({ drill: true })).toMatchObject({ status: 409, code: 'invalid_state' });
    expect(await start({ planVersion: 1, drill: true })).toMatchObject({ status: 409, code: 'invalid_state' });
    expect((await as('reviewer-b', 'POST', `/v1/plans/${planId}/versions/2/approve`, {})).status).toBe(403);
    expect((await as('author-a', 'POST', `/v1/plans/${planId}/versions/2/approve`, {})).status).toBe(200);
    expect(await start({ drill: false })).toEqual({ status: 202, runs: 2 });
    expect(await versions()).toEqual([expect.objectContaining({ version: 1, status: 'retired' }), expect.objectContaining({ version: 2, status: 'approved', approvedBy: 'author-a' })]);
  });

  it('the audit log records who created, approved (or was refused) and retired each version', async () => {
    const audit = await http<{ entries: { action: string; subject?: string; detail?: { version?: number } }[] }>('GET', `/v1/audit?target=${planId}`, 'auditor');
    const lines = audit.body.entries.map((e) => `${e.action} v${e.detail?.version ?? '?'} by ${e.subject ?? '?'}`).reverse();
    expect(lines).toEqual([
      'plan.create v1 by author-a',
      'plan.approve.refused v1 by author-a',
      'plan.approve v1 by reviewer-b',
      'plan.approve.refused v1 by reviewer-c',
      'plan.version v2 by reviewer-b',
      'plan.retire v1 by reviewer-b',
      'plan.approve.refused v2 by reviewer-b',
      'plan.approve v2 by author-a',
    ]);
  });
});
