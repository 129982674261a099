import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { personnel } from '@lifeline/contracts';
import { call, decodeJson, encodeJson, type NatsConnection } from '@lifeline/platform';
import { exampleCommunity } from '@lifeline/testkit';
import { collectEvents, connect, stackLogTail, startReplica, waitFor, type Replica } from './support/stack';

/**
 * The roster against the real stack: span-of-control readiness of the seeded weak and strong example communities,
 * surge calls, personal data kept out of logs, events and the store, and bad input answered without writes.
 */
const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const districtId = `d-ro-${run}`;
const subDistrictId = `s-ro-${run}`;
const weakId = `c-weak-${run}`;
const strongId = `c-strong-${run}`;
const incidentId = `inc-ro-${run}`;
const pid = (n: string) => `p-ro-${run}-${n}`;
// Unique to the run, so a match can only come from this test's data.
const digits = String(parseInt(randomBytes(4).toString('hex'), 16)).padStart(9, '0').slice(0, 9);
const CLEAR_PHONE = `15${digits}`;
const CLEAR_NAME = `欧阳${run.slice(-4)}测`;

jest.setTimeout(180_000);

let nc: NatsConnection;
let db: Connection;
let replica: Replica;
let events: Awaited<ReturnType<typeof collectEvents>>;
let stackLog: () => string;

async function raw(subject: string, body: unknown): Promise<{ ok: boolean; error?: { code: string; message: string; details?: unknown } }> {
  const reply = await nc.request(subject, encodeJson(body), { timeout: 10_000 });
  return decodeJson(reply.data) as { ok: boolean; error?: { code: string; message: string; details?: unknown } };
}

beforeAll(async () => {
  ({ nc, db } = await connect('personnel-roster-test'));
  stackLog = stackLogTail();
  replica = await startReplica();
  events = await collectEvents(nc);
  const weak = exampleCommunity('weak', weakId, subDistrictId, 7);
  const strong = exampleCommunity('strong', strongId, subDistrictId, 7);
  const seeded = await call(
    nc,
    personnel.seed,
    {
      units: [{ id: districtId, level: 'district', name: { zh: '区', en: 'District' } }, { id: subDistrictId, level: 'sub-district', parentId: districtId, name: { zh: '街道', en: 'Sub-district' } }, ...weak.units, ...strong.units],
      people: [
        ...weak.people,
        ...strong.people,
        { id: pid('pii'), type: 'volunteer', communityId: strongId, skills: ['sandbags'], name: CLEAR_NAME, phone: CLEAR_PHONE },
        { id: pid('v2'), type: 'volunteer', communityId: strongId, skills: ['sandbags'], name: '志愿者二', phone: '13911112222' },
        { id: pid('v3'), type: 'volunteer', communityId: weakId, skills: ['sandbags'], name: '志愿者三', phone: '13911113333' },
        { id: pid('v4'), type: 'volunteer', communityId: weakId, qualifications: [{ skill: 'sandbags', expiresOn: '2001-01-01' }], name: '志愿者四', phone: '13911114444' },
      ],
      partyUnits: [...weak.partyUnits, ...strong.partyUnits],
      teams: [{ id: `team-ro-${run}`, name: { zh: '医疗队', en: 'Medical team' }, communityId: strongId, profession: 'medical', skills: ['first-aid'] }],
    },
    { timeoutMs: 60_000 },
  );
  expect(seeded).toMatchObject({ partyUnits: weak.partyUnits.length + strong.partyUnits.length, teams: 1 });
});

afterAll(async () => {
  await events?.stop();
  await replica?.stop();
  await nc?.drain();
  await db?.close();
});

describe('span-of-control readiness', () => {
  it('flags the community built like the weak example and not the one built like the strong example', async () => {
    const report = await call(nc, personnel.readiness, { area: { districtIds: [districtId] } });
    expect(report.flagged).toEqual([weakId]);
    const weak = report.communities.find((c) => c.communityId === weakId)!;
    const strong = report.communities.find((c) => c.communityId === strongId)!;
    expect(weak).toMatchObject({ ready: false, partyMembers: 300, maxMembersPerPartyGroup: 150, gridsWithoutBranch: [3, 4, 5, 6].map((g) => `${weakId}-g${g}`) });
    expect(weak.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['span-party-group', 'grid-without-branch']));
    expect(strong).toMatchObject({ ready: true, partyMembers: 302, partyGroups: 41, maxMembersPerPartyGroup: 9, findings: [] });
    expect(report.thresholds).toEqual({ maxHouseholdsPerGridWorker: 300, maxPeoplePerGridWorker: 1000, maxMembersPerPartyGroup: 15, requiredSkills: ['first-aid'] });
  });

  it('applies thresholds given in the request', async () => {
    const report = await call(nc, personnel.readiness, { area: { communityIds: [strongId] }, thresholds: { maxMembersPerPartyGroup: 5, requiredSkills: ['first-aid', 'psychological-first-aid'] } });
    expect(report.flagged).toEqual([strongId]);
    expect(report.communities[0]!.findings.map((f) => f.code).sort()).toEqual(['skill-missing', 'span-party-group']);
    expect(report.communities[0]!.skillsMissing).toEqual(['psychological-first-aid']);
  });

  it('names the sub-district of each community when resolving an area', async () => {
    const resolved = await call(nc, personnel.resolveArea, { area: { communityIds: [weakId] } });
    expect(resolved.districts[0]!.communities[0]).toEqual({ communityId: weakId, population: 3000, subDistrictId });
  });
});

describe('surge', () => {
  it('invites qualified available volunteers, fills the quota once, and adds the accepted to the incident roster', async () => {
    const request = { idempotencyKey: `ro-${run}:surge-1`, incidentId, communityIds: [weakId, strongId], skill: 'sandbags', quota: 2, message: { zh: '需要志愿者装沙袋', en: 'Volunteers needed for sandbags' } };
    const opened = await call(nc, personnel.surgeCall, request);
    expect(opened).toMatchObject({ quota: 2, invited: [pid('pii'), pid('v2'), pid('v3')].sort(), accepted: [], status: 'open' });
    expect(await call(nc, personnel.surgeCall, request)).toEqual(opened);
    // Each invited volunteer got exactly one invitation through the notification service; the repeat sent none more.
    const direct = await db.getClient().db('lifeline_notification').collection('direct_messages').find({ incidentId }).toArray();
    const invitations = direct.filter((d) => String(d.idempotencyKey).startsWith(`${opened.callId}:invite:`));
    expect(invitations.map((d) => d.recipientId).sort()).toEqual(opened.invited);
    expect(invitations.every((d) => d.status === 'sent' && !String(d.phone).includes(CLEAR_PHONE))).toBe(true);

    const answers = await Promise.allSettled([pid('pii'), pid('v2'), pid('v3')].map((personId) => call(nc, personnel.surgeAnswer, { callId: opened.callId, personId, answer: 'accept' })));
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(2);
    expect(answers.filter((a) => a.status === 'rejected').map((a) => (a as PromiseRejectedResult).reason.code)).toEqual(['conflict']);
    await expect(call(nc, personnel.surgeAnswer, { callId: opened.callId, personId: pid('v4'), answer: 'accept' })).rejects.toMatchObject({ code: 'forbidden' });

    const roster = await call(nc, personnel.incidentRoster, { incidentId });
    expect(roster.volunteers).toHaveLength(2);
    expect(await db.collection('surge_seats').countDocuments({ callId: opened.callId })).toBe(2);
    const accepted = roster.volunteers.map((v) => v.personId);
    expect(await call(nc, personnel.surgeAnswer, { callId: opened.callId, personId: accepted[0]!, answer: 'accept' })).toMatchObject({ status: 'filled', accepted: [...accepted].sort() });
  });
});

describe('bad input', () => {
  it('answers with structured errors and writes nothing', async () => {
    const counts = async () => Promise.all(['tasks', 'surge_calls', 'people', 'party_units'].map((c) => db.collection(c).countDocuments({})));
    const before = await counts();
    const cases: [string, unknown, string][] = [
      [personnel.readiness.subject, { area: { districtIds: [districtId] }, thresholds: { maxMembersPerPartyGroup: 0 } }, 'invalid_request'],
      [personnel.readiness.subject, { area: { districtIds: [districtId] }, thresholds: { wizard: 1 } }, 'invalid_request'],
      [personnel.readiness.subject, { area: { communityIds: [`nowhere-${run}`] } }, 'not_found'],
      [personnel.surgeCall.subject, { idempotencyKey: `ro-${run}:bad-1`, incidentId, communityIds: [weakId], quota: 0, message: { zh: 'x', en: 'x' } }, 'invalid_request'],
      [personnel.surgeCall.subject, { idempotencyKey: `ro-${run}:bad-2`, incidentId, communityIds: [`nowhere-${run}`], quota: 1, message: { zh: 'x', en: 'x' } }, 'not_found'],
      [personnel.surgeAnswer.subject, { callId: 'surge-nope', personId: pid('v2'), answer: 'maybe' }, 'invalid_request'],
      [personnel.decline.subject, { taskId: '', personId: 'Not A Slug' }, 'invalid_request'],
      [personnel.seed.subject, { people: [{ id: pid('x'), type: 'volunteer', communityId: weakId, name: 'n', phone: '12', qualifications: [{ skill: 'first-aid', expiresOn: 'soon' }] }] }, 'invalid_request'],
      [personnel.seed.subject, { partyUnits: [{ id: `pu-${run}`, level: 'cell', communityId: weakId, name: { zh: 'x', en: 'x' } }] }, 'invalid_request'],
      [personnel.dispatch.subject, { idempotencyKey: `ro-${run}:bad-3`, incidentId, communityId: weakId, stepId: 'x', role: 'volunteer', task: { zh: 'x', en: 'x' }, severity: 'I', ackDeadlineSeconds: -5 }, 'invalid_request'],
    ];
    for (const [subject, body, code] of cases) {
      const reply = await raw(subject, body);
      expect({ subject, ok: reply.ok, code: reply.error?.code }).toEqual({ subject, ok: false, code });
      expect(typeof reply.error?.message).toBe('string');
    }
    expect(await counts()).toEqual(before);
  });
});

describe('personal data', () => {
  it('never appears in clear text in the service logs, the events or the store', async () => {
    // Exercise the paths that touch the person: a task (notification of the owner), a decline, the admin view.
    const t = await call(nc, personnel.dispatch, { idempotencyKey: `ro-${run}:pii-task`, incidentId: `${incidentId}-pii`, communityId: strongId, stepId: 'sandbags', role: 'volunteer', skill: 'sandbags', task: { zh: '装沙袋', en: 'Fill sandbags' }, severity: 'II', ackDeadlineSeconds: 30 });
    expect(t.ownerId).toBe(pid('pii'));
    await call(nc, personnel.decline, { taskId: t.taskId, personId: pid('pii') });
    await call(nc, personnel.seed, { people: [{ id: pid('pii'), type: 'volunteer', communityId: strongId, skills: ['sandbags'], name: CLEAR_NAME, phone: CLEAR_PHONE }] });
    await waitFor('the events of the task', async () => (events.envelopes().filter((e) => (e.data as { taskId?: string }).taskId === t.taskId).length >= 3 ? true : undefined));

    const logs = replica.output() + stackLog();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain(pid('pii')); // the person appears, pseudonymously
    const published = events.raw().join('\n');
    expect(published).toContain(pid('pii'));

    const collections = (await db.db!.listCollections().toArray()).map((c) => c.name);
    let store = '';
    for (const name of collections) store += JSON.stringify(await db.collection(name).find({}).toArray());
    expect(store).toContain(pid('pii'));

    for (const [where, text] of [['logs', logs], ['events', published], ['store', store]] as const) {
      expect({ where, phone: text.includes(CLEAR_PHONE), name: text.includes(CLEAR_NAME), tail: text.includes(CLEAR_PHONE.slice(-8)) }).toEqual({ where, phone: false, name: false, tail: false });
    }
  });
});
