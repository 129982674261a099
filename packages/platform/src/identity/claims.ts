/**
 * The pure part of identity: where a token keeps its roles, how they map to Lifeline roles, and why a token is
 * refused. No I/O; the verifier (verifier.ts) calls these.
 */
import { LifelineError, Role, type TokenRefusal } from '@lifeline/contracts';

/** Claim values → the Lifeline roles they grant (`{"lifeline-ops": "operator", "lifeline-chiefs": ["commander"]}`). */
export type RoleMap = ReadonlyMap<string, readonly Role[]>;

/** The order roles are listed in (so `role` in the audit log reads the same for the same grants). */
const ROLE_ORDER: readonly Role[] = Role.options;

/**
 * The values of the roles claim at `path`: the literal key first (namespaced claims such as
 * `https://lifeline.example/roles` contain dots), else the dotted path (`realm_access.roles`,
 * `resource_access.lifeline.roles`). An array keeps its strings; a string is split on whitespace (as `scope` is).
 * Anything else, or nothing there, is no values.
 */
export function claimValues(payload: Record<string, unknown>, path: string): string[] {
  let value: unknown = payload[path];
  if (value === undefined) {
    value = path.split('.').reduce<unknown>((at, key) => (at !== null && typeof at === 'object' && !Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined), payload);
  }
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The Lifeline roles `values` map to, each once, in the roles' own order; none when nothing maps. */
export function mapRoles(values: readonly string[], map: RoleMap): Role[] {
  const granted = new Set(values.flatMap((v) => map.get(v) ?? []));
  return ROLE_ORDER.filter((r) => granted.has(r));
}

/** `LIFELINE_OIDC_ROLE_MAP`: a JSON object from claim value to a role or a list of roles. Throws a message on a bad one. */
export function parseRoleMap(text: string): RoleMap {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('not JSON: expected an object such as {"lifeline-operators":"operator"}');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('expected a JSON object from claim value to role(s)');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) throw new Error('maps nothing: no token could hold a Lifeline role');
  return new Map(
    entries.map(([value, roles]) => {
      const list = Array.isArray(roles) ? roles : [roles];
      const bad = list.filter((r) => !Role.safeParse(r).success);
      if (list.length === 0 || bad.length > 0) throw new Error(`"${value}" maps to ${JSON.stringify(roles)}: each must be one of ${ROLE_ORDER.join(', ')}`);
      return [value, list as Role[]];
    }),
  );
}

/** The actor of an OIDC token: `<issuer>#<sub>` (Caller in contracts). */
export const oidcActor = (issuer: string, sub: string) => `${issuer}#${sub}`;

const REFUSAL_MESSAGES: Record<TokenRefusal, string> = {
  missing_token: 'missing bearer token',
  malformed_token: 'the bearer token is not a JWT',
  expired: 'the token has expired',
  not_yet_valid: 'the token is not valid yet',
  wrong_issuer: 'the token is not from an accepted issuer',
  wrong_audience: 'the token is not meant for Lifeline',
  algorithm_not_allowed: 'the token is signed with an algorithm that is not accepted',
  unknown_key: 'the token is signed with a key the issuer does not publish',
  bad_signature: 'the token’s signature does not verify',
  missing_claims: 'the token lacks a subject, an expiry or a known role',
  development_tokens_refused: 'development tokens are not accepted here: sign in with the identity provider',
};

/** A 401 naming why, with a fixed message per reason (never the library's message, which may quote the token). */
export const refusal = (reason: TokenRefusal) => new LifelineError('unauthorized', REFUSAL_MESSAGES[reason], { reason });

/** The refusal a jose verification error stands for. */
export function refusalOf(err: unknown): TokenRefusal {
  const e = err as { code?: string; claim?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return e.claim === 'iss' ? 'wrong_issuer' : e.claim === 'aud' ? 'wrong_audience' : e.claim === 'nbf' || e.claim === 'iat' ? 'not_yet_valid' : 'missing_claims';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm_not_allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'unknown_key';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad_signature';
    default:
      return 'malformed_token';
  }
}
