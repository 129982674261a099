/**
 * The remote codec endpoint the Temporal UI (and `temporal --codec-endpoint`) calls to show decrypted payloads:
 * `POST <base>/codec/encode` and `POST <base>/codec/decode`, for whoever the access policy lets in
 * (`codec-access.ts`: an administrator's token; locally also the UI's page on loopback), with CORS for the UI's origin.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { PayloadCodec } from '@temporalio/common';
import { LifelineError } from '@lifeline/contracts';
import { CodecBody, payloadFromJson, payloadToJson } from './codec';
import { codecAccess, foreignOrigin, type CodecAccessPolicy } from './codec-access';
import { createHttpApp, finishHttpApp, parseHttp, route } from './http';
import type { Logger } from './logger';

export interface CodecServerOptions extends CodecAccessPolicy {
  codec: PayloadCodec;
  log: Logger;
}

/** CORS for the listed origins; preflight requests are answered here without authentication. */
function cors(policy: CodecAccessPolicy) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.header('origin');
    const foreign = foreignOrigin(origin, policy);
    if (origin && foreign === undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method !== 'OPTIONS') return next();
    if (origin && foreign === undefined) {
      res.status(204).end();
      return;
    }
    res.status(403).json({ error: { code: 'forbidden', message: `origin ${origin ?? '(none)'} may not use the codec endpoint`, details: { allowedOrigins: policy.allowedOrigins } } });
  };
}

/** Mount the codec routes on an app (used by the standalone codec server; any Lifeline HTTP app can mount them). */
export function mountCodecRoutes(app: Express, opts: CodecServerOptions): void {
  const router = express.Router();
  router.use(cors(opts));
  for (const op of ['encode', 'decode'] as const) {
    router.post(
      `/${op}`,
      route(async (req, res) => {
        const access = await codecAccess({ origin: req.header('origin'), authorization: req.header('authorization'), peer: req.socket.remoteAddress }, opts);
        if (!access.ok) {
          opts.log.warn({ op, code: access.error.code, origin: req.header('origin'), peer: req.socket.remoteAddress }, 'codec request refused');
          throw access.error;
        }
        const body = parseHttp(CodecBody, req.body, `${op} body`);
        const payloads = await opts.codec[op](body.payloads.map(payloadFromJson)).catch((err: Error) => {
          throw new LifelineError('invalid_request', `cannot ${op}: ${err.message}`);
        });
        // Who looked at what, never the contents.
        opts.log.info({ caller: access.caller, op, namespace: req.header('x-namespace'), payloads: payloads.length }, 'codec');
        res.json({ payloads: payloads.map(payloadToJson) });
      }),
    );
  }
  app.use('/codec', router);
}

/** A standalone codec server app: `/codec/{encode,decode}` and `/healthz`. */
export function createCodecApp(opts: CodecServerOptions): Express {
  const app = createHttpApp();
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, access: opts.mode });
  });
  mountCodecRoutes(app, opts);
  finishHttpApp(app, opts.log);
  return app;
}
