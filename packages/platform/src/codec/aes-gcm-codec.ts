import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKeyring } from './keys';

/** Metadata of an encrypted payload (the same names as Temporal's encryption samples). */
export const ENCODING = 'binary/encrypted';
export const CIPHER = 'AES256-GCM';
export const METADATA = { encoding: 'encoding', cipher: 'encryption-cipher', keyId: 'encryption-key-id' } as const;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const enc = new TextEncoder();
const dec = new TextDecoder();
const ProtoPayload = temporal.api.common.v1.Payload;

/** Thrown when a payload cannot be decrypted (unknown key id, tampered data). */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/**
 * A Temporal PayloadCodec that encrypts every payload with AES-256-GCM.
 *
 * The whole original payload (metadata and data, protobuf-encoded) becomes the ciphertext, so not even the
 * encoding of a value shows in the history. The key id travels in clear in the metadata and is bound to the
 * ciphertext as additional authenticated data. Encoding uses the keyring's current key; decoding uses whichever
 * known key the payload names (rotation), and passes through payloads that were never encrypted.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keys: CodecKeyring) {}

  /** The id of the key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.keys.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(enc.encode(id));
      const plain = ProtoPayload.encode(payload as temporal.api.common.v1.IPayload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA.encoding]: enc.encode(ENCODING), [METADATA.cipher]: enc.encode(CIPHER), [METADATA.keyId]: enc.encode(id) },
        data: new Uint8Array(data),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA.encoding];
      if (!encoding || dec.decode(encoding) !== ENCODING) return payload;
      const idBytes = payload.metadata?.[METADATA.keyId];
      const id = idBytes ? dec.decode(idBytes) : '';
      const key = this.keys.all.get(id);
      if (!key) throw new PayloadDecryptionError(`payload encrypted with unknown key "${id}"`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(enc.encode(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(`payload failed authentication with key "${id}"`);
      }
      const decoded = ProtoPayload.decode(plain);
      return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() } as Payload;
    });
  }
}

/** True when a payload is one this codec produced (whatever the key). */
export function isEncryptedPayload(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA.encoding];
  return !!encoding && dec.decode(encoding) === ENCODING;
}
