import { createHash, hkdfSync } from 'node:crypto';
import { LifelineError } from '@lifeline/contracts';

/** One AES-256 key of the payload codec, named by the id written into every payload it encrypts. */
export interface CodecKey {
  id: string;
  key: Buffer;
}

/** The keys a codec knows: `current` encrypts, every key in `all` (current included) decrypts. */
export interface CodecKeyring {
  current: CodecKey;
  all: ReadonlyMap<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const HEX_KEY = /^[0-9a-f]{64}$/;

/**
 * Parse `LIFELINE_CODEC_KEYS`: `<id>:<64 hex chars>` entries separated by commas, the **first is current**
 * (encrypts); the others only decrypt. Rotation: put the new key first and keep the old ones until no history
 * that uses them is retained.
 */
export function parseCodecKeys(spec: string): CodecKeyring {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new LifelineError('invalid_request', 'LIFELINE_CODEC_KEYS names no key');
  const all = new Map<string, Buffer>();
  const keys: CodecKey[] = [];
  for (const entry of entries) {
    const [id, hex, ...rest] = entry.split(':');
    if (!id || !KEY_ID.test(id) || !hex || !HEX_KEY.test(hex) || rest.length > 0) {
      throw new LifelineError('invalid_request', 'LIFELINE_CODEC_KEYS entries must be <id>:<64 hex chars>', { entry: id ?? '' });
    }
    if (all.has(id)) throw new LifelineError('invalid_request', `LIFELINE_CODEC_KEYS names key ${id} twice`);
    const key = Buffer.from(hex, 'hex');
    all.set(id, key);
    keys.push({ id, key });
  }
  return { current: keys[0]!, all };
}

/**
 * A codec key derived (HKDF-SHA256) from the personal-data key, for stacks that configure no codec keys of their
 * own (the local development stack). Its id is a fingerprint, so two different PII keys never share an id.
 */
export function derivedCodecKey(piiKeyHex: string): CodecKey {
  if (!HEX_KEY.test(piiKeyHex)) throw new LifelineError('invalid_request', 'LIFELINE_PII_KEY must be 64 hex characters');
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(piiKeyHex, 'hex'), Buffer.alloc(0), 'lifeline temporal payload codec v1', 32));
  const id = `pii-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  return { id, key };
}

/**
 * The keyring from the environment: `LIFELINE_CODEC_KEYS` when set, else one key derived from `LIFELINE_PII_KEY`.
 * With neither, it refuses: workflow histories must never hold personal data in clear text.
 */
export function codecKeysFromEnv(env: NodeJS.ProcessEnv = process.env): CodecKeyring {
  if (env.LIFELINE_CODEC_KEYS) return parseCodecKeys(env.LIFELINE_CODEC_KEYS);
  if (env.LIFELINE_PII_KEY) {
    const derived = derivedCodecKey(env.LIFELINE_PII_KEY);
    return { current: derived, all: new Map([[derived.id, derived.key]]) };
  }
  throw new LifelineError('invalid_request', 'set LIFELINE_CODEC_KEYS (or LIFELINE_PII_KEY) so Temporal payloads are encrypted');
}
