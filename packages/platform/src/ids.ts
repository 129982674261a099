import { createHash } from 'node:crypto';

/**
 * A stable id derived from an idempotency key: `<prefix>-<first length hex chars of sha256(key)>`, so a retried
 * request finds the record its first attempt wrote. Parts of a composite key are joined with a newline.
 * Each caller passes the length its stored ids already have: changing it would change every id written from now
 * on, and a retry across versions would no longer find the first attempt's record.
 */
export function idFromKey(prefix: string, key: string | readonly string[], length: number): string {
  if (!Number.isInteger(length) || length < 8 || length > 64) throw new RangeError(`id length must be a whole number from 8 to 64, got ${length}`);
  const text = typeof key === 'string' ? key : key.join('\n');
  return `${prefix}-${createHash('sha256').update(text).digest('hex').slice(0, length)}`;
}
