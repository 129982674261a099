/**
 * Identity settings, shared by the command-center and the codec server (one verifier, verifier.ts). Parsed with the
 * process's config; a bad setting stops the process at start-up with every problem named.
 */
import { z } from 'zod';
import { parseRoleMap, type RoleMap } from './claims';

/** Asymmetric algorithms an OIDC token may use; `none` and HS* (a shared secret) never are. */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** https, or http on loopback only (a test's local issuer): keys fetched in clear could be swapped on the way. */
const secureUrl = z.url().refine((u) => {
  const url = new URL(u);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}, 'must be https (http only on loopback)');

/** Unset or empty (compose passes `${VAR:-}` through as an empty string) is the same: not configured. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

export const IdentityEnv = z.object({
  /** HMAC secret of development tokens (`lifeline token`). */
  LIFELINE_TOKEN_SECRET: z.string().min(16, 'at least 16 characters'),
  /** `accept` or `refuse` development tokens; default: refuse where OIDC is configured and the stack is no sandbox. */
  LIFELINE_DEV_TOKENS: unsetIfEmpty(z.enum(['accept', 'refuse'])),
  /** The OIDC issuer, exactly as its tokens' `iss` (with or without the trailing slash the provider uses). */
  LIFELINE_OIDC_ISSUER: unsetIfEmpty(secureUrl),
  /** The audience(s) a token must name in `aud`, comma-separated (the API's client id or resource URI). */
  LIFELINE_OIDC_AUDIENCE: unsetIfEmpty(z.string()),
  /** Where the signing keys are; default: `jwks_uri` of `<issuer>/.well-known/openid-configuration`. */
  LIFELINE_OIDC_JWKS_URL: unsetIfEmpty(secureUrl),
  /** The claim holding the caller's roles or groups: a key or a dotted path (`realm_access.roles`). */
  LIFELINE_OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** JSON: claim value → Lifeline role or roles, e.g. `{"lifeline-operators":"operator","lifeline-admins":"admin"}`. */
  LIFELINE_OIDC_ROLE_MAP: unsetIfEmpty(z.string()),
  /** Accepted signing algorithms, comma-separated, from OIDC_ALGORITHMS. */
  LIFELINE_OIDC_ALGORITHMS: z.string().default('RS256,ES256'),
  /** Clock skew allowed on `exp` and `nbf`, in seconds. */
  LIFELINE_OIDC_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
  /** After a key set was fetched, how long a token with an unknown `kid` waits before it may cause another fetch. */
  LIFELINE_OIDC_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** How long one fetch of the key set or the discovery document may take. */
  LIFELINE_OIDC_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
});
export type IdentityEnv = z.infer<typeof IdentityEnv>;

/** What the verifier needs, derived from the settings. */
export interface IdentitySettings {
  tokenSecret: string;
  devTokens: boolean;
  oidc?: {
    issuer: string;
    audience: string[];
    jwksUrl?: string;
    rolesClaim: string;
    roleMap: RoleMap;
    algorithms: string[];
    clockToleranceSeconds: number;
    cooldownMs: number;
    timeoutMs: number;
  };
}

type Ctx = z.RefinementCtx;
const issue = (ctx: Ctx, path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });

/**
 * The cross-setting rules, for a process schema's `superRefine`: an issuer needs an audience and a role map, an
 * OIDC setting needs the issuer, algorithms come from the asymmetric list.
 */
export function identityRules(env: IdentityEnv, ctx: Ctx): void {
  const oidcKeys = (['LIFELINE_OIDC_AUDIENCE', 'LIFELINE_OIDC_JWKS_URL', 'LIFELINE_OIDC_ROLE_MAP'] as const).filter((k) => env[k] !== undefined);
  if (env.LIFELINE_OIDC_ISSUER === undefined) {
    for (const k of oidcKeys) issue(ctx, k, 'set without LIFELINE_OIDC_ISSUER');
    return;
  }
  if (env.LIFELINE_OIDC_AUDIENCE === undefined || list(env.LIFELINE_OIDC_AUDIENCE).length === 0) issue(ctx, 'LIFELINE_OIDC_AUDIENCE', 'required with LIFELINE_OIDC_ISSUER');
  if (env.LIFELINE_OIDC_ROLE_MAP === undefined) issue(ctx, 'LIFELINE_OIDC_ROLE_MAP', 'required with LIFELINE_OIDC_ISSUER');
  else {
    try {
      parseRoleMap(env.LIFELINE_OIDC_ROLE_MAP);
    } catch (err) {
      issue(ctx, 'LIFELINE_OIDC_ROLE_MAP', (err as Error).message);
    }
  }
  const algorithms = list(env.LIFELINE_OIDC_ALGORITHMS);
  const bad = algorithms.filter((a) => !(OIDC_ALGORITHMS as readonly string[]).includes(a));
  if (algorithms.length === 0 || bad.length > 0) issue(ctx, 'LIFELINE_OIDC_ALGORITHMS', `${bad.join(', ') || 'none given'}: each must be one of ${OIDC_ALGORITHMS.join(', ')} (never none or HS*)`);
}

/**
 * Settings → verifier options. Development tokens: as `LIFELINE_DEV_TOKENS` says; unset, accepted unless OIDC is
 * configured on a stack that is not a sandbox (compose, Helm), where only the identity provider's tokens get in.
 */
export function identitySettings(env: IdentityEnv & { LIFELINE_SANDBOX?: boolean }): IdentitySettings {
  const issuer = env.LIFELINE_OIDC_ISSUER;
  const devTokens = env.LIFELINE_DEV_TOKENS ? env.LIFELINE_DEV_TOKENS === 'accept' : issuer === undefined || env.LIFELINE_SANDBOX === true;
  if (issuer === undefined) return { tokenSecret: env.LIFELINE_TOKEN_SECRET, devTokens };
  return {
    tokenSecret: env.LIFELINE_TOKEN_SECRET,
    devTokens,
    oidc: {
      issuer,
      audience: list(env.LIFELINE_OIDC_AUDIENCE ?? ''),
      ...(env.LIFELINE_OIDC_JWKS_URL ? { jwksUrl: env.LIFELINE_OIDC_JWKS_URL } : {}),
      rolesClaim: env.LIFELINE_OIDC_ROLES_CLAIM,
      roleMap: parseRoleMap(env.LIFELINE_OIDC_ROLE_MAP ?? '{}'),
      algorithms: list(env.LIFELINE_OIDC_ALGORITHMS),
      clockToleranceSeconds: env.LIFELINE_OIDC_CLOCK_TOLERANCE_S,
      cooldownMs: env.LIFELINE_OIDC_JWKS_COOLDOWN_MS,
      timeoutMs: env.LIFELINE_OIDC_FETCH_TIMEOUT_MS,
    },
  };
}
