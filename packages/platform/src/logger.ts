import pino, { type Logger } from 'pino';

/** Field names that hold personal data; pino masks them wherever they appear (two levels deep). */
export const PERSONAL_FIELDS = ['name', 'phone', 'address'] as const;

// The top-level `name` is pino's logger name, so personal names are masked one level down and beyond.
const redactPaths = PERSONAL_FIELDS.flatMap((f) => [...(f === 'name' ? [] : [f]), `*.${f}`, `*.*.${f}`, `*[*].${f}`, `*.*[*].${f}`]);

/** The one logger: JSON lines, personal data masked. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, redact: { paths: redactPaths, censor: '[masked]' }, base: { service } });
}

export type { Logger };
