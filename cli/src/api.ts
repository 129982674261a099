import { Role } from '@lifeline/contracts';
import { signToken } from './auth';
import { apiBase, fail, tokenSecret } from './context';

/** A bearer token: LIFELINE_TOKEN if set, else a short-lived development token for `role`. */
export function bearer(role: Role): string {
  return process.env.LIFELINE_TOKEN ?? signToken(tokenSecret(), `cli:${process.env.USER ?? 'operator'}`, role, 600);
}

/** Call the command-center; an error answer is printed as the structured error it is. */
export async function api<T>(method: string, path: string, role: Role, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${apiBase()}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer(role)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    return fail('unavailable', `command-center at ${apiBase()} did not answer: ${(err as Error).message}`);
  }
  const json = (await res.json().catch(() => ({}))) as { error?: { code: never; message: string; details?: unknown } };
  if (!res.ok) return fail(json.error?.code ?? 'internal', json.error?.message ?? `HTTP ${res.status}`, json.error?.details);
  return json as T;
}
