/**
 * The remote codec endpoint the Temporal UI (and `temporal --codec-endpoint`) calls to show decrypted payloads:
 * `POST <base>/codec/encode` and `POST <base>/codec/decode`, for administrators only (a command-center bearer
 * token with role `admin`), with CORS for the UI's origin.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
import type { PayloadCodec } from '@temporalio/common';
import { LifelineError, TokenClaims } from '@lifeline/contracts';
import { CodecBody, payloadFromJson, payloadToJson } from './codec';
import { createHttpApp, finishHttpApp, parseHttp, route } from './http';
import type { Logger } from './logger';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** HMAC secret of command-center tokens (`LIFELINE_TOKEN_SECRET`). */
  tokenSecret: string;
  /** Origins allowed to call from a browser (the Temporal UI's), e.g. `http://localhost:8233`. */
  allowedOrigins: readonly string[];
  log: Logger;
}

/** The verified administrator behind a request, or a 401/403 LifelineError. */
export function requireAdmin(header: string | undefined, secret: string): TokenClaims {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  if (!match) throw new LifelineError('unauthorized', 'missing bearer token');
  let payload: unknown;
  try {
    payload = jwt.verify(match[1]!, secret, { algorithms: ['HS256'], issuer: 'lifeline' });
  } catch (err) {
    throw new LifelineError('unauthorized', `invalid token: ${(err as Error).message}`);
  }
  const claims = TokenClaims.safeParse(payload);
  if (!claims.success) throw new LifelineError('unauthorized', 'token lacks a subject or a known role');
  if (claims.data.role !== 'admin') throw new LifelineError('forbidden', `${claims.data.role} may not decode workflow payloads`, { allowed: ['admin'] });
  return claims.data;
}

/** CORS for the listed origins; preflight requests are answered here without authentication. */
function cors(allowed: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.header('origin');
    if (origin && allowed.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.status(origin && allowed.includes(origin) ? 204 : 403).end();
      return;
    }
    next();
  };
}

/** Mount the codec routes on an app (used by the standalone codec server; any Lifeline HTTP app can mount them). */
export function mountCodecRoutes(app: Express, opts: CodecServerOptions): void {
  const router = express.Router();
  router.use(cors(opts.allowedOrigins));
  for (const op of ['encode', 'decode'] as const) {
    router.post(
      `/${op}`,
      route(async (req, res) => {
        const admin = requireAdmin(req.header('authorization'), opts.tokenSecret);
        const body = parseHttp(CodecBody, req.body, `${op} body`);
        const payloads = await opts.codec[op](body.payloads.map(payloadFromJson)).catch((err: Error) => {
          throw new LifelineError('invalid_request', `cannot ${op}: ${err.message}`);
        });
        // Who looked at what, never the contents.
        opts.log.info({ sub: admin.sub, op, namespace: req.header('x-namespace'), payloads: payloads.length }, 'codec');
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
    res.json({ ok: true });
  });
  mountCodecRoutes(app, opts);
  finishHttpApp(app, opts.log);
  return app;
}
