import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { LifelineError } from '@lifeline/contracts';

const PREFIX = 'pii1';

function keyFrom(hex: string): Buffer {
  const key = Buffer.from(hex, 'hex');
  if (key.length !== 32) throw new LifelineError('internal', 'LIFELINE_PII_KEY must be 32 bytes of hex');
  return key;
}

/** Encrypts and masks personal data (names, phones, addresses) with AES-256-GCM. */
export class PiiVault {
  private readonly key: Buffer;
  constructor(hexKey: string) {
    this.key = keyFrom(hexKey);
  }

  /** `pii1:<iv>:<tag>:<ciphertext>` (base64url); a fresh IV per value. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [PREFIX, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
  }

  open(sealed: string): string {
    const [prefix, iv, tag, ct] = sealed.split(':');
    if (prefix !== PREFIX || !iv || !tag || ct === undefined) throw new LifelineError('internal', 'not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** A keyed hash for exact-match look-ups without storing clear text (e.g. find a resident by phone). */
  blindIndex(plain: string): string {
    return createHmac('sha256', this.key).update(plain).digest('base64url');
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(`${PREFIX}:`);
}

/** `13812345678` → `138****5678`. */
export function maskPhone(phone: string): string {
  if (phone.length <= 4) return '*'.repeat(phone.length);
  const keep = Math.min(3, Math.max(0, phone.length - 8));
  return phone.slice(0, keep) + '*'.repeat(phone.length - keep - 4) + phone.slice(-4);
}

/** `张三丰` → `张**`, `Li Wei` → `L*****`. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}
