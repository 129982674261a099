import { env, http, tokenFor, withMongo } from '@lifeline/testkit';
import { FUZZED_VERSIONS, PLAN_MISTAKES, drillWith } from './support/plan-mistakes';

type PlanAnswer = { plan: { id: string; version: number }; versions: { version: number; status: string; author: string }[] };
type Refusal = { error: { code: string; message: string; details: { path: string; message: string }[] } };

/** POST as a commander of its own name, so forty refusals do not spend one caller's changes per minute. */
async function post(path: string, subject: string, body: unknown): Promise<{ status: number; body: Refusal }> {
  const res = await fetch(`${env.http}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokenFor('commander', subject)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Refusal };
}
const storedVersions = () => withMongo((mongo) => mongo.db('lifeline_command_center').collection('plans').countDocuments());

describe('the plan registry over HTTP', () => {
  it('lists the bundled library, approved as installed', async () => {
    const list = await http<{ plans: { id: string; approvedVersion: number | null }[] }>('GET', '/v1/plans', 'auditor');
    expect(list.status).toBe(200);
    expect(list.body.plans.find((p) => p.id === 'earthquake')).toMatchObject({ approvedVersion: 1 });
    expect(list.body.plans.map((p) => p.id)).toContain('community-drill');
  });

  it('a commander publishes a new immutable version, a draft; older versions stay readable', async () => {
    const before = await http<PlanAnswer>('GET', '/v1/plans/community-drill', 'auditor');
    const revised = { ...before.body.plan, title: { zh: '社区综合应急演练预案（修订）', en: 'Community drill (revised)' } };
    const created = await http<{ plan: { version: number } }>('POST', '/v1/plans/community-drill/versions', 'commander', { plan: revised });
    expect(created.status).toBe(201);
    expect(created.body.plan.version).toBe(before.body.plan.version + 1);
    const after = await http<PlanAnswer>('GET', '/v1/plans/community-drill', 'auditor');
    expect(after.body.versions.at(-1)).toMatchObject({ version: created.body.plan.version, status: 'draft', author: 'e2e-commander' });
    expect(after.body.versions[0]).toMatchObject({ version: 1, status: 'approved', author: 'library' });
    const old = await http<PlanAnswer>('GET', `/v1/plans/community-drill?version=${before.body.plan.version}`, 'auditor');
    expect(old.body.plan.version).toBe(before.body.plan.version);
  });

  it('an operator may not publish, and an invalid plan changes nothing', async () => {
    const before = await http<PlanAnswer>('GET', '/v1/plans/community-drill', 'auditor');
    expect((await http('POST', '/v1/plans/community-drill/versions', 'operator', { plan: before.body.plan })).status).toBe(403);
    const bad = await http<{ error: { code: string } }>('POST', '/v1/plans/community-drill/versions', 'commander', { plan: { ...before.body.plan, severityScaling: { I: -1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const after = await http<PlanAnswer>('GET', '/v1/plans/community-drill', 'auditor');
    expect(after.body.versions.length).toBe(before.body.versions.length);
  });

  it('refuses the fuzzed versions of issue #17 and every semantic mistake with a 400 naming the path, and stores none of them', async () => {
    const before = await storedVersions();
    const refusals: [string, number, string, boolean][] = [];
    for (const [i, fuzzed] of FUZZED_VERSIONS.entries()) {
      const answer = await post(`/v1/plans/${fuzzed.planId}/versions`, `fuzzer-${i}`, { plan: drillWith(fuzzed, fuzzed.planId) });
      const paths = answer.body.error.details.map((d) => d.path);
      refusals.push([`fuzzed ${fuzzed.planId}`, answer.status, answer.body.error.code, fuzzed.paths.every((p) => paths.includes(p))]);
    }
    for (const [i, mistake] of PLAN_MISTAKES.entries()) {
      const answer = await post('/v1/plans/community-drill/versions', `mistakes-${i}`, { plan: drillWith(mistake) });
      refusals.push([mistake.name, answer.status, answer.body.error.code, answer.body.error.details.some((d) => d.path === mistake.path)]);
    }
    // The same validator guards a new plan: the first half again, as new plans under fresh ids.
    for (const [i, mistake] of PLAN_MISTAKES.slice(0, PLAN_MISTAKES.length / 2).entries()) {
      const answer = await post('/v1/plans', `new-mistakes-${i}`, { plan: { ...drillWith(mistake), id: `mistake-${i}-${Date.now()}` } });
      refusals.push([`new plan: ${mistake.name}`, answer.status, answer.body.error.code, answer.body.error.details.some((d) => d.path === mistake.path)]);
    }
    expect(refusals.length).toBeGreaterThanOrEqual(2 + 20);
    expect(refusals.filter(([, status, code, named]) => status !== 400 || code !== 'invalid_request' || !named)).toEqual([]);
    expect(await storedVersions()).toBe(before);
  });
});
