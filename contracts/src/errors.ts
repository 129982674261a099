import { z } from 'zod';

/** Every error code any boundary (HTTP, NATS, CLI) may answer with. */
export const ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'insufficient_stock',
  'no_candidate',
  'invalid_state',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({ code: ErrorCode, message: z.string(), details: z.unknown().optional() });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** HTTP error envelope: `{ error: { code, message, details? } }`. */
export const HttpError = z.object({ error: ErrorBody });

/** The HTTP status that fits each code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  insufficient_stock: 409,
  no_candidate: 409,
  invalid_state: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** A failure that crosses a boundary as a value. */
export class LifelineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'LifelineError';
  }
  toBody(): ErrorBody {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}

/** One problem with a request: where (dotted path, `(root)` for the whole value) and what. */
export interface IssueDetail {
  path: string;
  message: string;
  /** For an unknown field: its name (`path` then ends with it). */
  unknownKey?: string;
}

const dotted = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(root)';

/**
 * Zod issues as structured details pointing at the offending path. An object with unknown fields gives one detail
 * per field, at the field's own path (`lines.0.quantitty`), so a typo is named where it was made.
 */
export function issuesToDetails(error: z.ZodError): IssueDetail[] {
  return error.issues.flatMap((i): IssueDetail[] =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: dotted([...i.path, key]), message: `unknown field "${key}"`, unknownKey: key }))
      : [{ path: dotted(i.path), message: i.message }],
  );
}

/** NATS reply envelope: `{ ok: true, result }` or `{ ok: false, error }`. */
export const replySchema = <T extends z.ZodType>(result: T) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), result }), z.object({ ok: z.literal(false), error: ErrorBody })]);
export type Reply<T> = { ok: true; result: T } | { ok: false; error: ErrorBody };
