import express from 'express';
import type { Server } from 'node:http';
import { createHttpApp, finishHttpApp, listen } from '../src/http';
import { createLogger } from '../src/logger';

/** An app shaped like a service's: routes with parameters, a mounted router, then the 404 and error handlers. */
function app() {
  const a = createHttpApp();
  a.get('/v1/jobs/:id', (_req, res) => void res.json({ job: 1 }));
  a.post('/v1/jobs', (_req, res) => void res.status(201).json({ created: 1 }));
  const codec = express.Router();
  codec.post('/encode', (_req, res) => void res.json({ payloads: [] }));
  a.use('/codec', codec);
  finishHttpApp(a, createLogger('http-test', 'silent'));
  return a;
}

describe('HTTP methods a route does not declare', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await listen(app(), 0);
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => server.close());

  it.each([
    ['DELETE', '/v1/jobs/j-1', 'GET, HEAD'],
    ['PUT', '/v1/jobs', 'POST'],
    ['GET', '/codec/encode', 'POST'],
    ['PATCH', '/metrics', 'GET, HEAD'],
  ])('%s %s answers 405 with Allow: %s and a structured error', async (method, path, allow) => {
    const res = await fetch(`${base}${path}`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(await res.json()).toEqual({ error: { code: 'method_not_allowed', message: expect.stringContaining(allow), details: { method, path, allow: allow.split(', ') } } });
  });

  it('declared methods still reach their routes, HEAD included', async () => {
    expect((await fetch(`${base}/v1/jobs/j-1`)).status).toBe(200);
    expect((await fetch(`${base}/v1/jobs/j-1`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${base}/v1/jobs`, { method: 'POST' })).status).toBe(201);
    expect((await fetch(`${base}/codec/encode`, { method: 'POST' })).status).toBe(200);
  });

  it('an unknown path stays 404, whatever the method', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${base}/v1/nothing`, { method });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });
});
