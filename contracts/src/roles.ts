import { z } from 'zod';

/** Operator roles (auditor is read-only; commander escalates, stands down and accepts plan revisions). */
export const Role = z.enum(['auditor', 'operator', 'commander', 'admin']);
export type Role = z.infer<typeof Role>;

/** Claims of a command-center bearer token (HS256 JWT). */
export const TokenClaims = z.object({ sub: z.string().min(1), role: Role });
export type TokenClaims = z.infer<typeof TokenClaims>;

/** How a caller proved who they are: a development token (HS256, issuer `lifeline`) or an OIDC access token. */
export const CallerVia = z.enum(['development', 'oidc']);

/**
 * A verified caller. `sub` is the actor every record names (audit log, rate limit, plan authorship): a development
 * token's subject as it is, an OIDC token's as `<issuer>#<sub>` (an issuer URL has no fragment, so the first `#`
 * splits it, and no two issuers' subjects or a development token's can collide). An OIDC caller holds every role its
 * claim maps to.
 */
export const Caller = z.strictObject({ sub: z.string().min(1), roles: z.array(Role).min(1), via: CallerVia, issuer: z.string().min(1) });
export type Caller = z.infer<typeof Caller>;

/**
 * Why a bearer token was refused (401 `unauthorized`, `details.reason`): enough for a client to act on, nothing about
 * the token's contents or the server's configuration.
 */
export const TOKEN_REFUSALS = [
  'missing_token',
  'malformed_token',
  'expired',
  'not_yet_valid',
  'wrong_issuer',
  'wrong_audience',
  'algorithm_not_allowed',
  'unknown_key',
  'bad_signature',
  'missing_claims',
  'development_tokens_refused',
] as const;
export const TokenRefusal = z.enum(TOKEN_REFUSALS);
export type TokenRefusal = z.infer<typeof TokenRefusal>;
