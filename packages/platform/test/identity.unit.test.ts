import { SignJWT, UnsecuredJWT } from 'jose';
import { z } from 'zod';
import { claimValues, createTokenVerifier, IdentityEnv, identityRules, identitySettings, mapRoles, parseRoleMap } from '../src/identity';
import { loadConfig } from '../src/config';

const Env = IdentityEnv.extend({ LIFELINE_SANDBOX: z.stringbool().default(false) }).superRefine(identityRules);
const SECRET = 'identity-unit-test-secret';
const ISSUER = 'https://idp.lifeline.example/realms/city';
const oidcEnv = { LIFELINE_TOKEN_SECRET: SECRET, LIFELINE_OIDC_ISSUER: ISSUER, LIFELINE_OIDC_AUDIENCE: 'lifeline-api', LIFELINE_OIDC_JWKS_URL: 'https://127.0.0.1:1/certs', LIFELINE_OIDC_ROLE_MAP: '{"ops":"operator"}' };
const refusedWith = async (p: Promise<unknown>) => p.then(() => 'accepted', (e: { code: string; details?: { reason?: string } }) => `${e.code}:${e.details?.reason ?? ''}`);

describe('the roles claim and the role map', () => {
  it('a key, a dotted path, a namespaced key with dots, or a space-separated string', () => {
    const payload = { roles: ['a', 1, 'b'], realm_access: { roles: ['c'] }, 'https://lifeline.example/roles': ['d'], scope: 'openid lifeline:ops' };
    expect(claimValues(payload, 'roles')).toEqual(['a', 'b']);
    expect(claimValues(payload, 'realm_access.roles')).toEqual(['c']);
    expect(claimValues(payload, 'https://lifeline.example/roles')).toEqual(['d']);
    expect(claimValues(payload, 'scope')).toEqual(['openid', 'lifeline:ops']);
    expect(claimValues(payload, 'realm_access.missing.deeper')).toEqual([]);
    expect(claimValues({ roles: { not: 'a list' } }, 'roles')).toEqual([]);
  });

  it('values map to each Lifeline role once, in the roles’ order; unmapped values grant nothing', () => {
    const map = parseRoleMap('{"lifeline-chiefs":["commander","auditor"],"lifeline-ops":"operator","lifeline-audit":"auditor"}');
    expect(mapRoles(['lifeline-ops', 'lifeline-chiefs', 'lifeline-audit', 'cafeteria'], map)).toEqual(['auditor', 'operator', 'commander']);
    expect(mapRoles(['cafeteria'], map)).toEqual([]);
  });

  it('a role map that is not JSON, not an object, empty or names an unknown role is refused with the reason', () => {
    expect(() => parseRoleMap('ops=operator')).toThrow('not JSON');
    expect(() => parseRoleMap('["operator"]')).toThrow('JSON object');
    expect(() => parseRoleMap('{}')).toThrow('maps nothing');
    expect(() => parseRoleMap('{"ops":"superuser"}')).toThrow('"ops" maps to "superuser"');
  });
});

describe('identity settings', () => {
  it('bad OIDC settings stop start-up, every problem named', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(Env, env);
        return [];
      } catch (err) {
        return ((err as { details: { path: string }[] }).details ?? []).map((d) => d.path).sort();
      }
    };
    expect(problems({ LIFELINE_TOKEN_SECRET: SECRET, LIFELINE_OIDC_ISSUER: ISSUER })).toEqual(['LIFELINE_OIDC_AUDIENCE', 'LIFELINE_OIDC_ROLE_MAP']);
    expect(problems({ LIFELINE_TOKEN_SECRET: SECRET, LIFELINE_OIDC_AUDIENCE: 'x' })).toEqual(['LIFELINE_OIDC_AUDIENCE']);
    expect(problems({ ...oidcEnv, LIFELINE_OIDC_ALGORITHMS: 'RS256,HS256' })).toEqual(['LIFELINE_OIDC_ALGORITHMS']);
    expect(problems({ ...oidcEnv, LIFELINE_OIDC_ALGORITHMS: 'none' })).toEqual(['LIFELINE_OIDC_ALGORITHMS']);
    expect(problems({ ...oidcEnv, LIFELINE_OIDC_ISSUER: 'http://idp.example/realms/x' })).toEqual(['LIFELINE_OIDC_ISSUER']);
    expect(problems({ ...oidcEnv, LIFELINE_OIDC_ROLE_MAP: '{"ops":"root"}' })).toEqual(['LIFELINE_OIDC_ROLE_MAP']);
    expect(problems(oidcEnv)).toEqual([]);
  });

  it('development tokens are refused where OIDC is configured on a stack that is no sandbox, unless said otherwise', () => {
    expect(identitySettings(loadConfig(Env, { LIFELINE_TOKEN_SECRET: SECRET })).devTokens).toBe(true);
    expect(identitySettings(loadConfig(Env, oidcEnv)).devTokens).toBe(false);
    expect(identitySettings(loadConfig(Env, { ...oidcEnv, LIFELINE_SANDBOX: 'true' })).devTokens).toBe(true);
    expect(identitySettings(loadConfig(Env, { ...oidcEnv, LIFELINE_DEV_TOKENS: 'accept' })).devTokens).toBe(true);
    expect(identitySettings(loadConfig(Env, { LIFELINE_TOKEN_SECRET: SECRET, LIFELINE_DEV_TOKENS: 'refuse' })).devTokens).toBe(false);
  });
});

describe('the verifier, before any key is fetched', () => {
  const production = createTokenVerifier(identitySettings(loadConfig(Env, oidcEnv)));
  const dev = (iss = 'lifeline', secret = SECRET) => new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('dev').setIssuer(iss).setExpirationTime('1m').sign(new TextEncoder().encode(secret));

  it('alg none and HS256 on the OIDC path are refused as algorithms, without a key fetch', async () => {
    const none = new UnsecuredJWT({ roles: ['ops'] }).setIssuer(ISSUER).setAudience('lifeline-api').setSubject('x').setExpirationTime('1m').encode();
    expect(await refusedWith(production.verify(`Bearer ${none}`))).toBe('unauthorized:algorithm_not_allowed');
    expect(await refusedWith(production.verify(`Bearer ${await dev(ISSUER)}`))).toBe('unauthorized:algorithm_not_allowed');
  });

  it('a development token is refused by name on a production-shaped stack, accepted on a sandbox', async () => {
    expect(await refusedWith(production.verify(`Bearer ${await dev()}`))).toBe('unauthorized:development_tokens_refused');
    const sandbox = createTokenVerifier(identitySettings(loadConfig(Env, { ...oidcEnv, LIFELINE_SANDBOX: 'true' })));
    await expect(sandbox.verify(`Bearer ${await dev()}`)).resolves.toEqual({ sub: 'dev', roles: ['admin'], via: 'development', issuer: 'lifeline' });
    expect(await refusedWith(sandbox.verify(`Bearer ${await dev('lifeline', 'another-secret-entirely')}`))).toBe('unauthorized:bad_signature');
  });

  it('no token, not a JWT: 401 with the reason and a message that quotes nothing', async () => {
    expect(await refusedWith(production.verify(undefined))).toBe('unauthorized:missing_token');
    expect(await refusedWith(production.verify('Basic YWRtaW46YWRtaW4='))).toBe('unauthorized:missing_token');
    expect(await refusedWith(production.verify('Bearer not.a.jwt'))).toBe('unauthorized:malformed_token');
  });
});

describe('settings passed through empty', () => {
  it('an empty OIDC variable (compose’s ${VAR:-}) is unset, not a bad value', () => {
    const empty = { LIFELINE_TOKEN_SECRET: SECRET, LIFELINE_OIDC_ISSUER: '', LIFELINE_OIDC_AUDIENCE: '', LIFELINE_OIDC_ROLE_MAP: '', LIFELINE_DEV_TOKENS: '' };
    expect(identitySettings(loadConfig(Env, empty))).toEqual({ tokenSecret: SECRET, devTokens: true });
  });
});
