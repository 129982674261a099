import express, { type ErrorRequestHandler, type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Server } from 'node:http';
import type { z } from 'zod';
import { HTTP_STATUS, issuesToDetails, LifelineError } from '@lifeline/contracts';
import type { Logger } from './logger';
import { toErrorBody } from './serve';
import { metricsHandler } from './telemetry';
import { httpTracing } from './telemetry-http';

/** Wrap an async route so a thrown error reaches the structured error handler. */
export function route(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };
}

/** Parse a body/params/query with a contract schema or throw `invalid_request` with paths. */
export function parseHttp<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new LifelineError('invalid_request', `invalid ${what}`, issuesToDetails(parsed.error));
  return parsed.data;
}

/** What this module reads of Express's router: a layer's path matchers, and its route or mounted router. */
interface RouterLayer {
  matchers?: ((path: string) => false | { path: string })[];
  route?: { methods: Record<string, boolean | undefined> };
  handle?: { stack?: RouterLayer[] };
}

/**
 * The methods the routes matching `path` declare (HEAD wherever GET is), through mounted routers; `undefined` when a
 * matching route takes every method (`app.all`). Plain middleware (auth, static files) declares none.
 */
export function declaredMethods(stack: readonly RouterLayer[], path: string): Set<string> | undefined {
  const methods = new Set<string>();
  for (const layer of stack) {
    const match = layer.matchers?.map((m) => m(path)).find(Boolean);
    if (!match) continue;
    if (layer.route) {
      if (layer.route.methods._all) return undefined;
      for (const method of Object.keys(layer.route.methods)) methods.add(method.toUpperCase());
      if (layer.route.methods.get) methods.add('HEAD');
    } else if (layer.handle?.stack) {
      const inner = declaredMethods(layer.handle.stack, path.slice(match.path.length) || '/');
      if (inner === undefined) return undefined;
      inner.forEach((m) => methods.add(m));
    }
  }
  return methods;
}

/**
 * A known path asked with a method none of its routes declare answers 405 with `Allow` (RFC 9110 §15.5.6) and a
 * structured error, before authentication and body parsing; an unknown path falls through to the 404. OPTIONS is
 * left to whoever answers it (the codec server's CORS preflight).
 */
function refuseUndeclaredMethods(app: Express): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'OPTIONS') return next();
    const allowed = declaredMethods((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, req.path);
    if (allowed === undefined || allowed.size === 0 || allowed.has(req.method)) return next();
    const allow = [...allowed].sort();
    res.set('Allow', allow.join(', '));
    res.status(HTTP_STATUS.method_not_allowed).json({ error: { code: 'method_not_allowed', message: `${req.method} is not allowed on ${req.path}; allowed: ${allow.join(', ')}`, details: { method: req.method, path: req.path, allow } } });
  };
}

/**
 * Express app with JSON bodies; `finish(app)` adds the 404 and structured-error handlers after the routes. A method
 * a known path does not declare answers 405 with `Allow` (checked first, at request time, against every route).
 * `GET /metrics` (Prometheus text, telemetry.ts) comes first, before tracing and any auth a process adds: a scrape
 * is neither traced nor authenticated, so keep the path off a public ingress (docs/DEPLOY.md, "Metrics").
 */
export function createHttpApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(refuseUndeclaredMethods(app));
  app.get('/metrics', metricsHandler);
  app.use(express.json({ limit: '1mb' }));
  app.use(httpTracing());
  return app;
}

export function finishHttpApp(app: Express, log: Logger): void {
  app.use((req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    if ((err as { type?: string }).type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid_request', message: 'body is not valid JSON' } });
      return;
    }
    const body = toErrorBody(err, log);
    res.status(HTTP_STATUS[body.code]).json({ error: body });
  };
  app.use(onError);
}

export function listen(app: Express, port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}
