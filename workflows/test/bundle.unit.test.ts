/**
 * What a workflow run costs before it runs: Temporal evaluates the bundle's modules once per run (each run has its
 * own module cache, even in a reused V8 context), so everything the workflows import statically is rebuilt by every
 * district and community run of a city-wide activation. This builds the real bundle, starts "runs" the way the
 * worker does (a fresh module cache, then `importWorkflows()` and `importInterceptors()`), and checks that classic
 * zod and the full contracts are not among what a run evaluates — only `@lifeline/contracts/inbound` — also when
 * an incident run checks its start. Needs no server.
 */
import vm from 'node:vm';
import { bundleWorkflowCode } from '@temporalio/worker';

jest.setTimeout(120_000);

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

interface BundleApi {
  importWorkflows(): Record<string, unknown>;
  importInterceptors(): unknown[];
}

let api: BundleApi;
let cache: Record<string, { exports: unknown }> = {};
let requireInBundle: (id: string) => unknown;

beforeAll(async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    workflowInterceptorModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
    logger: quiet as never,
  });
  // The worker routes the bundle's module cache through a global; here it is a map we swap per "run".
  const moduleCache = new Proxy(
    {},
    {
      get: (_t, id) => cache[id as string],
      set: (_t, id, value) => ((cache[id as string] = value), true),
      has: (_t, id) => id in cache,
      deleteProperty: (_t, id) => delete cache[id as string],
    },
  );
  // Expose the bundle's require, to load a module by id the way a run's code does.
  const exposed = code.replace('function __webpack_require__(moduleId) {', 'globalThis.__require = __webpack_require__;\nfunction __webpack_require__(moduleId) {');
  expect(exposed).not.toBe(code);
  const context = vm.createContext({ __webpack_module_cache__: moduleCache, performance, TextEncoder, TextDecoder, URL, URLSearchParams, console, setTimeout, clearTimeout, queueMicrotask, AbortController });
  new vm.Script(exposed).runInContext(context);
  api = (context as { __TEMPORAL__: BundleApi }).__TEMPORAL__;
  requireInBundle = (context as { __require: (id: string) => unknown }).__require;
});

/** The module ids one workflow run evaluates. */
function oneRun(): string[] {
  cache = {};
  const workflows = api.importWorkflows();
  api.importInterceptors();
  expect(Object.keys(workflows)).toEqual(expect.arrayContaining(['incidentWorkflow', 'districtPhaseWorkflow', 'communityPhaseWorkflow']));
  return Object.keys(cache);
}

test('a workflow run evaluates the zod-free names and the small inbound schemas, not classic zod or the whole contracts', () => {
  const evaluated = oneRun();
  expect(evaluated.some((id) => id.endsWith('contracts/src/inbound.ts'))).toBe(true);
  expect(evaluated.some((id) => id.endsWith('contracts/src/names.ts'))).toBe(true);
  expect(evaluated.filter((id) => id.includes('/zod/v4/classic/'))).toEqual([]);
  expect(evaluated.filter((id) => /contracts\/src\/(index|incident|plan|workflow|services\/)/.test(id))).toEqual([]);
});

test("the incident's start check runs inside the bundle without building classic zod or the plan schemas", () => {
  oneRun();
  const input = [...Object.keys(cache)].find((id) => id.endsWith('workflows/src/incident/input.ts'));
  expect(input).toBeDefined();
  const { parseIncidentInput } = requireInBundle(input!) as { parseIncidentInput: (raw: unknown) => { success: boolean; error?: { issues: { path: unknown[] }[] } } };
  const parsed = parseIncidentInput({ incidentId: 'x' });
  expect(parsed.success).toBe(false);
  expect(parsed.error?.issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['title', 'severity', 'plan']));
  expect(Object.keys(cache).filter((id) => id.includes('/zod/v4/classic/') || /contracts\/src\/(index|plan|incident)\.ts$/.test(id))).toEqual([]);
});
