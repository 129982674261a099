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

/**
 * Express app with JSON bodies; `finish(app)` adds the 404 and structured-error handlers after the routes.
 * `GET /metrics` (Prometheus text, telemetry.ts) comes first, before tracing and any auth a process adds: a scrape
 * is neither traced nor authenticated, so keep the path off a public ingress (docs/DEPLOY.md, "Metrics").
 */
export function createHttpApp(): Express {
  const app = express();
  app.disable('x-powered-by');
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
