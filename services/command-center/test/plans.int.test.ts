import { http } from '@lifeline/testkit';

type PlanAnswer = { plan: { id: string; version: number }; versions: { version: number }[] };

describe('the plan registry over HTTP', () => {
  it('lists the bundled library', async () => {
    const list = await http<{ plans: { id: string }[] }>('GET', '/v1/plans', 'auditor');
    expect(list.status).toBe(200);
    expect(list.body.plans.map((p) => p.id)).toContain('community-drill');
  });

  it('a commander publishes a new immutable version; older versions stay readable', async () => {
    const before = await http<PlanAnswer>('GET', '/v1/plans/community-drill', 'auditor');
    const revised = { ...before.body.plan, title: { zh: '社区综合应急演练预案（修订）', en: 'Community drill (revised)' } };
    const created = await http<{ plan: { version: number } }>('POST', '/v1/plans/community-drill/versions', 'commander', { plan: revised });
    expect(created.status).toBe(201);
    expect(created.body.plan.version).toBe(before.body.plan.version + 1);
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
});
