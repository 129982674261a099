/** The contract's limit on idempotency keys. */
const MAX_KEY = 200;

/** FNV-1a, 32 bits: deterministic and dependency-free, so it runs inside the workflow sandbox. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The idempotency key of a command: workflow id + step id (+ suffixes such as `fallback:2`), never an attempt
 * number, so a retried activity or a replayed workflow repeats the same command. Over-long keys keep a readable
 * prefix and end with a hash of the whole key.
 */
export function idempotencyKey(workflowId: string, stepId: string, ...suffix: (string | number)[]): string {
  const key = [workflowId, stepId, ...suffix].join(':');
  if (key.length <= MAX_KEY) return key;
  return `${key.slice(0, MAX_KEY - 10)}:${fnv1a(key)}`;
}
