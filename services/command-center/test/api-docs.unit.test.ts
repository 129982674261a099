import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { schemas as asyncApiSchemas } from '@asyncapi/specs';
import mongoose from 'mongoose';
import { API_DOC_FILES } from '@lifeline/contracts/docs';
import { createHttpApp } from '@lifeline/platform';
import { registerRoutes } from '../src/http';
import type { RouteDeps } from '../src/route-deps';
import { auditModel } from '../src/model/audit';

/**
 * The committed API documents validate with the official schemas (OpenAPI 3.1 through
 * @seriousme/openapi-schema-validator, AsyncAPI 3.0 through @asyncapi/specs + ajv; both ship the schemas, nothing is
 * downloaded), and the OpenAPI paths are exactly the routes the express app registers.
 */
const root = path.resolve(__dirname, '..', '..', '..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;

function validateOpenApi(doc: unknown): { valid: boolean; version: string; errors: unknown[] } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-')), 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  const out = execFileSync(process.execPath, [path.join(__dirname, 'support', 'validate-openapi.mjs'), file], { encoding: 'utf8' });
  return JSON.parse(out) as { valid: boolean; version: string; errors: unknown[] };
}

function asyncApiValidator() {
  // The AsyncAPI schema embeds its own copy of the draft-07 meta-schema, so ajv's is left out (meta: false).
  const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
  addFormats(ajv);
  return ajv.compile(asyncApiSchemas['3.0.0'] as object);
}

describe('OpenAPI document', () => {
  const doc = read(API_DOC_FILES.openapi);

  it('validates against the official OpenAPI 3.1 schema', () => {
    const result = validateOpenApi(doc);
    expect(result).toEqual({ valid: true, version: '3.1', errors: [] });
  });

  it('the validator rejects a broken document (so the check above can fail)', () => {
    const broken = { ...doc, paths: { '/v1/x': { get: { responses: { '200': { content: 'nope' } } } } } };
    expect(validateOpenApi(broken).valid).toBe(false);
  });
});

describe('AsyncAPI document', () => {
  const doc = read(API_DOC_FILES.asyncapi);
  const validate = asyncApiValidator();

  it('validates against the official AsyncAPI 3.0.0 schema', () => {
    const valid = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the validator rejects a broken document (so the check above can fail)', () => {
    const broken = { ...doc, channels: { ...(doc.channels as object), bad: { address: 42 } } };
    expect(validate(broken)).toBe(false);
  });
});

/** Every route the express app registers, as OpenAPI `METHOD /path/{param}`. */
function expressRoutes(): string[] {
  process.env.LIFELINE_TOKEN_SECRET ??= 'unit-test-secret-of-enough-length';
  process.env.LIFELINE_PII_KEY ??= '07'.repeat(32);
  const app = createHttpApp();
  const db = mongoose.createConnection();
  const deps = { audit: auditModel(db), db, tokenSecret: process.env.LIFELINE_TOKEN_SECRET, temporalUiUrl: 'http://ui', namespace: 'default', mutationsPerMinute: 60, livePollMs: 1000 } as unknown as RouteDeps;
  registerRoutes(app, deps);
  const stack = (app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
  const routes: string[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) if (on) routes.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return routes.sort();
}

describe('the OpenAPI document matches the running routes', () => {
  it('documents exactly the /v1 routes the app registers (the console, its redirect and the Prometheus /metrics are not API)', () => {
    const doc = read(API_DOC_FILES.openapi) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const registered = expressRoutes();
    expect(registered.filter((r) => !r.includes(' /v1/'))).toEqual(['GET /', 'GET /metrics']);
    expect(registered.filter((r) => r.includes(' /v1/'))).toEqual(documented);
  });
});
