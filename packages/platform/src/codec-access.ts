/**
 * Who may use the codec endpoint. Decoding shows workflow payloads in clear (incident titles, plans, sometimes a
 * resident's name), so the codec server decides per request, before it touches a payload.
 *
 * - `token` (compose, Kubernetes): only an administrator's bearer token (role `admin`): a development token or
 *   the configured issuer's OIDC token, through the same verifier as the command-center (identity/). The Temporal UI forwards it with its "pass access token" option.
 * - `loopback` (the local stack): the Temporal UI's page on this machine may decode without a token. The UI cannot
 *   forward a token to a plain-HTTP endpoint, and anything that can reach loopback here can read the stack's
 *   secrets file anyway; an administrator's token works too (`temporal --codec-auth`).
 *
 * In both modes a browser request from any other origin is refused, whatever credentials it carries.
 */
import { LifelineError, type Caller } from '@lifeline/contracts';
import { holdsRole, roleLabel, type TokenVerifier } from './identity';

export const CODEC_ACCESS_MODES = ['token', 'loopback'] as const;
export type CodecAccessMode = (typeof CODEC_ACCESS_MODES)[number];

export interface CodecAccessPolicy {
  mode: CodecAccessMode;
  /** Browser origins that may call (the Temporal UI's), e.g. `http://127.0.0.1:8233`. */
  allowedOrigins: readonly string[];
  /** The command-center's token verifier (development and OIDC tokens). */
  verifier: TokenVerifier;
}

/** What the codec server knows about a request. */
export interface CodecRequest {
  /** The `Origin` header: browsers send it on every cross-origin request; the CLI sends none. */
  origin?: string;
  /** The `Authorization` header. */
  authorization?: string;
  /** The TCP peer's address. */
  peer?: string;
}

/** Who was let in: an administrator by token, or the Temporal UI's page on this machine. */
export type CodecCaller = { via: 'token'; sub: string } | { via: 'loopback-ui'; origin: string };

export type CodecAccess = { ok: true; caller: CodecCaller } | { ok: false; error: LifelineError };

/** The verified administrator behind an `Authorization` header, or a 401/403 LifelineError. */
export async function requireAdmin(header: string | undefined, verifier: TokenVerifier): Promise<Caller> {
  const caller = await verifier.verify(header);
  if (!holdsRole(caller, ['admin'])) throw new LifelineError('forbidden', `${roleLabel(caller)} may not decode workflow payloads`, { allowed: ['admin'] });
  return caller;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (how Node reports an IPv4 peer on a dual-stack socket). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** A browser origin the policy does not list; undefined when there is no origin or it is listed. */
export function foreignOrigin(origin: string | undefined, policy: Pick<CodecAccessPolicy, 'allowedOrigins'>): string | undefined {
  return origin !== undefined && !policy.allowedOrigins.includes(origin) ? origin : undefined;
}

/**
 * The decision, in order: a foreign origin is refused (403); presented credentials are judged and never fall back
 * to loopback trust (401 invalid, 403 not an administrator); without credentials, `loopback` mode lets in a
 * listed origin from a loopback peer; everything else is 401.
 */
export async function codecAccess(request: CodecRequest, policy: CodecAccessPolicy): Promise<CodecAccess> {
  const refuse = (error: LifelineError): CodecAccess => ({ ok: false, error });
  const foreign = foreignOrigin(request.origin, policy);
  if (foreign !== undefined) {
    return refuse(new LifelineError('forbidden', `origin ${foreign} may not use the codec endpoint`, { origin: foreign, allowedOrigins: policy.allowedOrigins }));
  }
  if (request.authorization !== undefined) {
    try {
      return { ok: true, caller: { via: 'token', sub: (await requireAdmin(request.authorization, policy.verifier)).sub } };
    } catch (err) {
      return refuse(err as LifelineError);
    }
  }
  if (policy.mode === 'token') return refuse(new LifelineError('unauthorized', 'missing bearer token (an administrator’s)', { mode: policy.mode }));
  if (!isLoopback(request.peer)) {
    return refuse(new LifelineError('unauthorized', 'without a bearer token the codec server answers only this machine', { mode: policy.mode }));
  }
  if (request.origin === undefined) {
    return refuse(
      new LifelineError('unauthorized', 'missing bearer token: without one only the Temporal UI’s page may decode', { mode: policy.mode, allowedOrigins: policy.allowedOrigins }),
    );
  }
  return { ok: true, caller: { via: 'loopback-ui', origin: request.origin } };
}
