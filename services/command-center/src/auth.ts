import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LifelineError, type Caller, type Role } from '@lifeline/contracts';
import { holdsRole, roleLabel, type TokenVerifier } from '@lifeline/platform';

/** A request whose bearer token was verified. */
type AuthedRequest = Request & { auth?: Caller };

/** The verified caller of a request, if any. */
export const authOf = (req: Request): Caller | undefined => (req as AuthedRequest).auth;

/**
 * Verify the bearer token (a development token or the configured issuer's OIDC token, @lifeline/platform identity)
 * and attach the caller; a refused token is 401 with `details.reason`, a valid one with no mapped role 403.
 */
export function authenticate(verifier: TokenVerifier): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    verifier.verify(req.header('authorization')).then(
      (caller) => {
        (req as AuthedRequest).auth = caller;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** Refuse unless the caller holds one of `roles` (admin may do everything). */
export function assertRole(req: Request, roles: Role[], action: string): Caller {
  const auth = authOf(req);
  if (!auth) throw new LifelineError('unauthorized', 'not authenticated', { reason: 'missing_token' });
  if (!holdsRole(auth, roles)) throw new LifelineError('forbidden', `${roleLabel(auth)} may not ${action}`, { allowed: roles });
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
