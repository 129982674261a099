import { buildCity, sendCity, env, http, publishApprovedPlan, tokenFor, withNats } from '@lifeline/testkit';
import { gatedPlan } from './support/gated-plan';
import { pollUntil } from '@lifeline/testkit';

/**
 * Incidents list filters (Temporal visibility), the live stream (server-sent events: status, JetStream events,
 * resume with Last-Event-ID) and the audit log, against the real stack. The incident waits in mobilize for the
 * commander, so its phase is known while the filters are checked.
 */
jest.setTimeout(150_000);

const city = buildCity({ communities: 1, residents: 40, seed: 67, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;
const districtId = city.units.find((u) => u.id === community.parentId)!.parentId!;
const plan = gatedPlan(1);
let incidentId: string;

type Summary = { incidentId: string; phase: string; status: string; drill: boolean; severity: string };
const list = async (query: string) => (await http<{ incidents: Summary[] }>('GET', `/v1/incidents?${query}`, 'auditor')).body.incidents.map((i) => i.incidentId);

const until = <T>(what: string, probe: () => Promise<T | undefined>) => pollUntil(what, probe, { timeoutMs: 60_000, everyMs: 500 });

/** Read server-sent events until `stop` says so; frames as { event, id, data }. */
async function readEvents(path: string, stop: (frames: { event: string; id?: string; data: unknown }[]) => boolean, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${env.http}${path}`, { headers: { authorization: `Bearer ${tokenFor('auditor')}`, ...headers }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const frames: { event: string; id?: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body!.getReader();
  const timer = setTimeout(() => controller.abort(), 60_000);
  try {
    while (!stop(frames)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const lines = frame.split('\n');
        const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        const data = field('data');
        if (data !== undefined) frames.push({ event: field('event') ?? 'message', id: field('id'), data: JSON.parse(data) });
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return frames;
}

beforeAll(async () => {
  await withNats((nc) => sendCity(nc, city));
  await publishApprovedPlan(plan);
  const started = await http<{ incidentId: string }>('POST', '/v1/incidents', 'operator', { planId: plan.id, severity: 'III', area: { communityIds: [community.id] }, title: 'Live drill', drill: true });
  expect(started.status).toBe(202);
  incidentId = started.body.incidentId;
});

describe('incidents list filters', () => {
  it('finds the incident by phase, severity, drill, plan and status, and not by the wrong ones', async () => {
    await until('the incident in mobilize in the list', async () => ((await list(`phase=mobilize&plan=${plan.id}`)).includes(incidentId) ? true : undefined));
    expect(await list(`severity=III&drill=true&status=running&plan=${plan.id}`)).toContain(incidentId);
    expect(await list(`district=${districtId}&plan=${plan.id}`)).toContain(incidentId);
    for (const wrong of ['phase=respond', 'severity=I', 'drill=false', 'status=completed', 'district=zz-nowhere']) {
      expect([wrong, (await list(`${wrong}&plan=${plan.id}`)).includes(incidentId)]).toEqual([wrong, false]);
    }
    const [line] = (await http<{ incidents: Summary[] }>('GET', `/v1/incidents?plan=${plan.id}`, 'auditor')).body.incidents;
    expect(line).toEqual(expect.objectContaining({ incidentId, phase: 'mobilize', status: 'running', drill: true, severity: 'III' }));
  });
});

describe('the live stream of an incident', () => {
  let lastSeq: number;

  it('starts with the incident status and replays the incident’s JetStream events with their stream sequence as id', async () => {
    const frames = await readEvents(`/v1/incidents/${incidentId}/events`, (f) => f.some((x) => x.event === 'event') && f.some((x) => x.event === 'status'));
    expect(frames[0]).toEqual(expect.objectContaining({ event: 'status', data: expect.objectContaining({ incidentId, phase: 'mobilize', links: expect.objectContaining({ temporalUi: expect.stringContaining(`/workflows/incident-${incidentId}`) }) }) }));
    const events = frames.filter((f) => f.event === 'event');
    for (const e of events) expect(e.data).toEqual(expect.objectContaining({ seq: Number(e.id), type: expect.stringMatching(/^[a-z]+\.[a-z-]+$/) }));
    lastSeq = Number(events[0]!.id);
  });

  it('resumes after Last-Event-ID and shows the stand-down live until the end', async () => {
    const reading = readEvents(`/v1/incidents/${incidentId}/events`, (f) => f.some((x) => x.event === 'end'), { 'last-event-id': String(lastSeq) });
    await new Promise((r) => setTimeout(r, 1500));
    const standDown = await http('POST', `/v1/incidents/${incidentId}/commands`, 'commander', { type: 'stand-down', reason: 'live test over' }, {});
    expect(standDown.status).toBe(200);
    const frames = await reading;
    for (const e of frames.filter((f) => f.event === 'event')) expect(Number(e.id)).toBeGreaterThan(lastSeq);
    const phases = frames.filter((f) => f.event === 'status').map((f) => (f.data as { phase: string }).phase);
    expect(phases[0]).toBe('mobilize');
    expect(phases.at(-1)).toBe('closed');
    expect(frames.at(-1)).toEqual(expect.objectContaining({ event: 'end', data: { phase: 'closed', status: 'cancelled' } }));
  });

  it('lists the stood-down incident as cancelled, not completed', async () => {
    const found = await until('the closed incident in the list', async () => ((await list(`phase=closed&plan=${plan.id}`)).includes(incidentId) ? true : undefined));
    expect(found).toBe(true);
    expect(await list(`status=cancelled&plan=${plan.id}`)).toContain(incidentId);
    expect(await list(`status=completed&plan=${plan.id}`)).not.toContain(incidentId);
  });
});

describe('the audit log', () => {
  it('records who started, watched and stood down the incident; reading it is audited too', async () => {
    const answer = await http<{ entries: { action: string; subject: string; role: string; at: string }[] }>('GET', `/v1/audit?target=${incidentId}`, 'auditor');
    expect(answer.status).toBe(200);
    const actions = answer.body.entries.map((e) => `${e.action} by ${e.role}`);
    expect(actions).toEqual(expect.arrayContaining(['incident.start by operator', 'incident.watch by auditor', 'incident.command.stand-down by commander']));
    const again = await http<{ entries: { action: string; subject: string }[] }>('GET', `/v1/audit?target=${incidentId}`, 'auditor');
    expect(again.body.entries.map((e) => e.action)).toContain('audit.read');
  });
});
