import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { NATS_USERS, type NatsUser } from '@lifeline/contracts/permissions';

/** Development secrets of one stack: generated once per data dir, reused afterwards. */
export interface StackSecrets {
  /** NATS password per user. */
  nats: Record<NatsUser, string>;
  /** HMAC secret that signs operator JWTs (command-center and `lifeline token`). */
  tokenSecret: string;
  /** 32 random bytes as hex: encrypts personal data at rest. */
  piiKey: string;
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Fresh random secrets (pure apart from the random source). */
export function generateSecrets(): StackSecrets {
  const nats = Object.fromEntries(NATS_USERS.map((u) => [u, token(18)])) as Record<NatsUser, string>;
  return { nats, tokenSecret: token(32), piiKey: randomBytes(32).toString('hex') };
}

function isComplete(s: Partial<StackSecrets> | undefined): s is StackSecrets {
  return (
    !!s &&
    typeof s.tokenSecret === 'string' &&
    typeof s.piiKey === 'string' &&
    /^[0-9a-f]{64}$/.test(s.piiKey) &&
    !!s.nats &&
    NATS_USERS.every((u) => typeof s.nats?.[u] === 'string' && s.nats[u].length > 0)
  );
}

/** `<dataDir>/secrets.json`. */
export const secretsPath = (dataDir: string) => path.join(dataDir, 'secrets.json');

/**
 * Loads `<dataDir>/secrets.json`, creating it (mode 600) on first use. A file missing a newer user's password is
 * completed, never regenerated, so existing encrypted data stays readable.
 */
export function loadOrCreateSecrets(dataDir: string): StackSecrets {
  const file = secretsPath(dataDir);
  let existing: Partial<StackSecrets> | undefined;
  if (fs.existsSync(file)) existing = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StackSecrets>;
  if (isComplete(existing)) return existing;
  const fresh = generateSecrets();
  const merged: StackSecrets = {
    nats: { ...fresh.nats, ...(existing?.nats ?? {}) },
    tokenSecret: existing?.tokenSecret ?? fresh.tokenSecret,
    piiKey: existing?.piiKey && /^[0-9a-f]{64}$/.test(existing.piiKey) ? existing.piiKey : fresh.piiKey,
  };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(merged, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return merged;
}
