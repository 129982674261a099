import fs from 'node:fs';
import path from 'node:path';
import { ALL_ENDPOINTS, ALL_EVENTS } from '../src/catalog';
import { API_DOC_FILES, buildAsyncApi, buildOpenApi, renderDocument } from '../src/docs';

const root = path.resolve(__dirname, '..', '..');
const committed = (file: string) => {
  const target = path.join(root, file);
  return fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '(missing)';
};

type Doc = Record<string, unknown> & { components: { schemas: Record<string, unknown> } };
const openApi = buildOpenApi() as Doc & { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>> };
const asyncApi = buildAsyncApi() as Doc & { channels: Record<string, { address: string | null }>; operations: Record<string, { action: string; reply?: unknown }> };

describe('API documents generated from the contracts', () => {
  it.each([
    ['openapi', API_DOC_FILES.openapi, openApi],
    ['asyncapi', API_DOC_FILES.asyncapi, asyncApi],
  ] as const)('the committed %s document is up to date', (_name, file, doc) => {
    const fresh = renderDocument(doc);
    if (committed(file) !== fresh) throw new Error(`${file} is out of date with the zod contracts: run \`npm run api-docs\` and commit the result`);
  });

  it('generation is deterministic', () => {
    expect(renderDocument(buildOpenApi())).toBe(renderDocument(openApi));
    expect(renderDocument(buildAsyncApi())).toBe(renderDocument(asyncApi));
  });

  it('carries the right specification versions', () => {
    expect(openApi.openapi).toMatch(/^3\.1\.\d+$/);
    expect(asyncApi.asyncapi).toBe('3.0.0');
  });

  it('every NATS endpoint is a request/reply channel and operation', () => {
    const addresses = Object.values(asyncApi.channels).map((c) => c.address);
    for (const ep of ALL_ENDPOINTS) {
      expect(addresses).toContain(ep.subject);
      expect(asyncApi.operations[ep.subject]).toMatchObject({ action: 'send', reply: expect.anything() });
    }
  });

  it('every JetStream event is a channel carrying its envelope', () => {
    const addresses = Object.values(asyncApi.channels).map((c) => c.address);
    for (const ev of ALL_EVENTS) {
      expect(addresses).toContain(ev.subject);
      expect(asyncApi.operations[ev.subject]).toMatchObject({ action: 'receive' });
    }
  });

  it('every $ref points at something that exists', () => {
    for (const doc of [openApi, asyncApi]) {
      const refs = renderDocument(doc).match(/"\$ref": "#\/[^"]+"/g) ?? [];
      for (const r of refs) {
        const pointer = r.slice('"$ref": "#/'.length, -1).split('/');
        let at: unknown = doc;
        for (const part of pointer) at = (at as Record<string, unknown> | undefined)?.[part];
        expect([r, at !== undefined]).toEqual([r, true]);
      }
    }
  });

  it('every POST body schema is present, and every operation answers errors with HttpError', () => {
    const bodies: string[] = [];
    for (const [route, ops] of Object.entries(openApi.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (method === 'post') {
          const schemaRef = op.requestBody?.content['application/json']?.schema.$ref;
          expect([route, schemaRef]).toEqual([route, expect.stringMatching(/^#\/components\/schemas\//)]);
          bodies.push(schemaRef!.split('/').pop()!);
        }
        const responses = (op as { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }).responses;
        for (const [status, answer] of Object.entries(responses)) {
          if (Number(status) >= 400 && !((route === '/v1/health' || route === '/v1/status') && status === '503')) expect([route, status, answer.content?.['application/json']?.schema.$ref]).toEqual([route, status, '#/components/schemas/HttpError']);
        }
      }
    }
    expect(bodies.sort()).toEqual(['AcceptProposalsRequest', 'ApprovePlanBody', 'IncidentCommand', 'PlanCreateRequest', 'PlanPreviewRequest', 'PlanVersionRequest', 'RetirePlanBody', 'StartIncidentRequest']);
    for (const name of bodies) expect(openApi.components.schemas[name]).toBeDefined();
  });

  it('documents every command-center route', () => {
    expect(Object.keys(openApi.paths).sort()).toEqual([
      '/v1/asyncapi.json',
      '/v1/audit',
      '/v1/audit/verify',
      '/v1/health',
      '/v1/incidents',
      '/v1/incidents/{id}',
      '/v1/incidents/{id}/commands',
      '/v1/incidents/{id}/events',
      '/v1/incidents/{id}/report',
      '/v1/incidents/{id}/report/proposals/accept',
      '/v1/openapi.json',
      '/v1/plans',
      '/v1/plans/{id}',
      '/v1/plans/{id}/preview',
      '/v1/plans/{id}/versions',
      '/v1/plans/{id}/versions/{a}/diff/{b}',
      '/v1/plans/{id}/versions/{version}/approve',
      '/v1/plans/{id}/versions/{version}/retire',
      '/v1/readiness',
      '/v1/status',
    ]);
  });
});
