import { buildCity, http, sendCity, testStack, withNats } from '@lifeline/testkit';
import { runCommunityDrill } from './support';

/**
 * With tracing on (the default), a drill's trace is in the stack's Jaeger: the incident links it, Jaeger's own HTTP
 * API returns it (and finds it by the incident id, as README "Traces" tells administrators to), and it holds spans of
 * the command-center, the worker, a service and that service's store calls, joined parent to child from the POST down
 * to the store. (trace-shape.test.ts checks the whole tree in detail, on a private topology.)
 */
jest.setTimeout(300_000);

const stack = testStack();
const city = buildCity({ communities: 1, residents: 60, seed: 16686, today: new Date().toISOString().slice(0, 10) });
const community = city.units.find((u) => u.level === 'community')!;

/** A span as Jaeger's query API (`/api/traces`) returns it. */
interface JaegerSpan {
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  processID: string;
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

const jaeger = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${stack.tracesUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
};

let incidentId: string;
let traceId: string;

beforeAll(async () => {
  if (!stack.tracesUrl) throw new Error('the stack runs without tracing (LIFELINE_TRACING=0?): this test needs Jaeger');
  await withNats((nc) => sendCity(nc, city));
});

describe('one drill, one trace in Jaeger', () => {
  it('a drill runs to closed and its incident links its trace', async () => {
    incidentId = await runCommunityDrill(community.id, 'Traced drill');
    const detail = await http<{ links: { trace?: string; traceApi?: string } }>('GET', `/v1/incidents/${incidentId}`, 'auditor');
    expect(detail.body.links.trace).toMatch(new RegExp(`^${stack.tracesUrl}/trace/[0-9a-f]{32}$`));
    traceId = detail.body.links.trace!.split('/').pop()!;
    expect(detail.body.links.traceApi).toBe(`${stack.tracesUrl}/api/traces/${traceId}`);
  });

  it('Jaeger’s API returns it with spans of the command-center, the worker, a service and the store, chained from the POST', async () => {
    const isStore = (s: JaegerSpan) => s.tags.some((t) => t.key === 'db.system' && t.value === 'mongodb');
    /** The chain of `service:operation` from the trace's root down to a store call of personnel's handler. */
    const storeChain = (t: JaegerTrace) => {
      const byId = new Map(t.spans.map((s) => [s.spanID, s]));
      const parent = (s: JaegerSpan) => byId.get(s.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '');
      const store = t.spans.find((s) => isStore(s) && parent(s)?.operationName === 'serve lifeline.personnel.resolve-area');
      const out: string[] = [];
      for (let p = store; p; p = parent(p)) out.unshift(`${t.processes[p.processID]!.serviceName}:${p.operationName}`);
      return out;
    };
    // Each process sends its spans in batches (every 5 s), the workflow's through the worker's sink when they end:
    // wait until the chain reaches the POST.
    let trace: JaegerTrace | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
      const answer = await jaeger<{ data: JaegerTrace[] }>(`/api/traces/${traceId}`);
      trace = answer.status === 200 ? answer.body.data[0] : undefined;
      if (trace && storeChain(trace)[0] === 'lifeline-command-center:POST /v1/incidents') break;
    }
    expect(trace).toBeDefined();
    const services = new Set(trace!.spans.map((s) => trace!.processes[s.processID]!.serviceName));
    expect([...services]).toEqual(expect.arrayContaining(['lifeline-command-center', 'lifeline-worker', 'lifeline-personnel', 'lifeline-supplies', 'lifeline-notification']));
    const chain = storeChain(trace!);
    expect(chain[0]).toBe('lifeline-command-center:POST /v1/incidents');
    expect(chain).toEqual(
      expect.arrayContaining([
        'lifeline-worker:RunWorkflow:incidentWorkflow',
        'lifeline-worker:RunActivity:resolveArea',
        'lifeline-worker:call lifeline.personnel.resolve-area',
        'lifeline-personnel:serve lifeline.personnel.resolve-area',
      ]),
    );
    expect(chain.at(-1)).toMatch(/^lifeline-personnel:mongo /);
  });

  it('an administrator finds it by the incident id (the search README gives)', async () => {
    const found = await jaeger<{ data: JaegerTrace[] }>(`/api/traces?service=lifeline-command-center&tag=lifeline.incident.id:${incidentId}`);
    expect(found.status).toBe(200);
    expect(found.body.data.map((t) => t.traceID)).toEqual([traceId]);
  });
});
