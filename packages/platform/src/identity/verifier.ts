/**
 * The one token verifier of the command-center and the codec server. A bearer token whose (unverified) `iss` is
 * `lifeline` takes the development path (HS256, `LIFELINE_TOKEN_SECRET`), if development tokens are accepted; any
 * other goes to the configured OIDC issuer: signature by a key of its JWKS (fetched once, refetched for an unknown
 * `kid` at most once per cooldown, jose's remote key set), issuer, audience, `exp`/`nbf` with a small tolerance, an
 * asymmetric algorithm from the list. Routing on the unverified claim is safe because each path checks everything.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { LifelineError, TokenClaims, type Caller } from '@lifeline/contracts';
import { claimValues, mapRoles, oidcActor, refusal, refusalOf } from './claims';
import type { IdentitySettings } from './config';

export interface TokenVerifier {
  /** The caller behind an `Authorization` header: 401 (refusal), 403 (no mapped role) or 503 (keys unavailable) otherwise. */
  verify(authorization: string | undefined): Promise<Caller>;
}

const DEV_ISSUER = 'lifeline';
const Discovery = z.looseObject({ issuer: z.string(), jwks_uri: z.url() });
type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** Errors that mean the issuer's keys could not be had (network, timeout, not a key set), not a bad token. */
const KEY_FETCH_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JOSE_GENERIC', 'ERR_JWKS_INVALID']);
const keysUnavailable = () => new LifelineError('unavailable', 'the identity provider’s signing keys could not be fetched; try again shortly', { reason: 'keys_unavailable' });

export function createTokenVerifier(settings: IdentitySettings): TokenVerifier {
  const secret = new TextEncoder().encode(settings.tokenSecret);
  const oidc = settings.oidc;
  let keySet: Promise<KeySet> | undefined;

  /** The issuer's key set: the configured URL, else discovery's `jwks_uri` (retried on the next token after a failure). */
  const keys = (): Promise<KeySet> => {
    const o = oidc!;
    const options = { cooldownDuration: o.cooldownMs, timeoutDuration: o.timeoutMs };
    keySet ??= (async () => {
      if (o.jwksUrl) return createRemoteJWKSet(new URL(o.jwksUrl), options);
      const res = await fetch(`${o.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'manual' });
      if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
      const doc = Discovery.parse(await res.json());
      if (doc.issuer !== o.issuer) throw new Error(`discovery names issuer ${doc.issuer}, not the configured one`);
      return createRemoteJWKSet(new URL(doc.jwks_uri), options);
    })();
    keySet.catch(() => (keySet = undefined));
    return keySet;
  };

  const development = async (token: string): Promise<Caller> => {
    if (!settings.devTokens) throw refusal('development_tokens_refused');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], issuer: DEV_ISSUER }));
    } catch (err) {
      throw refusal(refusalOf(err));
    }
    const claims = TokenClaims.safeParse(payload);
    if (!claims.success) throw refusal('missing_claims');
    return { sub: claims.data.sub, roles: [claims.data.role], via: 'development', issuer: DEV_ISSUER };
  };

  const fromIssuer = async (token: string): Promise<Caller> => {
    const o = oidc!;
    const jwks = await keys().catch(() => {
      throw keysUnavailable();
    });
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: o.issuer,
        audience: o.audience,
        algorithms: o.algorithms,
        clockTolerance: o.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === undefined || KEY_FETCH_CODES.has(code)) throw keysUnavailable();
      throw refusal(refusalOf(err));
    }
    const roles = mapRoles(claimValues(payload, o.rolesClaim), o.roleMap);
    if (roles.length === 0) throw new LifelineError('forbidden', 'the token is valid but maps to no Lifeline role', { reason: 'no_mapped_role', rolesClaim: o.rolesClaim });
    return { sub: oidcActor(o.issuer, payload.sub!), roles, via: 'oidc', issuer: o.issuer };
  };

  return {
    async verify(authorization) {
      const match = /^Bearer (\S+)$/i.exec(authorization ?? '');
      if (!match) throw refusal('missing_token');
      const token = match[1]!;
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        throw refusal('malformed_token');
      }
      return oidc === undefined || iss === DEV_ISSUER ? development(token) : fromIssuer(token);
    },
  };
}

/** Whether a caller holds one of `roles` (admin holds them all). */
export const holdsRole = (caller: Caller, roles: readonly string[]) => caller.roles.includes('admin') || caller.roles.some((r) => roles.includes(r));

/** The caller's roles as one label (`commander`, `auditor+operator`), as the audit log records them. */
export const roleLabel = (caller: Caller) => caller.roles.join('+');
