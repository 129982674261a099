import type { NextFunction, Request, RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import { LifelineError, TokenClaims, type Role } from '@lifeline/contracts';

/** A request whose bearer token was verified. */
type AuthedRequest = Request & { auth?: TokenClaims };

/** The verified claims of a request, if any. */
export const authOf = (req: Request): TokenClaims | undefined => (req as AuthedRequest).auth;

/** Verify the bearer token (HS256, issuer lifeline) and attach its claims; anything else is 401. */
export function authenticate(secret: string): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match) return next(new LifelineError('unauthorized', 'missing bearer token'));
    try {
      const payload = jwt.verify(match[1]!, secret, { algorithms: ['HS256'], issuer: 'lifeline' });
      const claims = TokenClaims.safeParse(payload);
      if (!claims.success) return next(new LifelineError('unauthorized', 'token lacks a subject or a known role'));
      (req as AuthedRequest).auth = claims.data;
      next();
    } catch (err) {
      next(new LifelineError('unauthorized', `invalid token: ${(err as Error).message}`));
    }
  };
}

/** Refuse unless the caller holds one of `roles` (admin may do everything). */
export function assertRole(req: Request, roles: Role[], action: string): TokenClaims {
  const auth = authOf(req);
  if (!auth) throw new LifelineError('unauthorized', 'not authenticated');
  if (auth.role !== 'admin' && !roles.includes(auth.role)) throw new LifelineError('forbidden', `${auth.role} may not ${action}`, { allowed: roles });
  return auth;
}

/** Role check as middleware, so a wrong role is refused (403) before rate limiting and before the body is read. */
export function authorise(req: Request, roles: Role[], action: string): LifelineError | undefined {
  try {
    assertRole(req, roles, action);
    return undefined;
  } catch (err) {
    return err as LifelineError;
  }
}
