/** The Temporal payload codec: AES-256-GCM with key ids and rotation, its data converter and JSON helpers. */
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { codecKeysFromEnv } from './keys';

export { AesGcmPayloadCodec, PayloadDecryptionError, isEncryptedPayload, ENCODING, CIPHER, METADATA } from './aes-gcm-codec';
export { parseCodecKeys, derivedCodecKey, codecKeysFromEnv, type CodecKey, type CodecKeyring } from './keys';
export { JsonPayload, CodecBody, payloadToJson, payloadFromJson } from './json';

/** The codec configured by the environment (`LIFELINE_CODEC_KEYS`, else derived from `LIFELINE_PII_KEY`). */
export const codecFromEnv = (env: NodeJS.ProcessEnv = process.env) => new AesGcmPayloadCodec(codecKeysFromEnv(env));

/**
 * The data converter every Temporal client and worker of Lifeline uses: `{ dataConverter: lifelineDataConverter() }`.
 * Client and worker must share keys; a worker decodes payloads that were never encrypted unchanged.
 */
export function lifelineDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  return { payloadCodecs: [codecFromEnv(env)] };
}
