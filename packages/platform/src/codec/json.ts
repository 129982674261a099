import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/** A payload as the Temporal UI and CLI send it to a remote codec: metadata values and data in base64. */
export const JsonPayload = z.object({
  metadata: z.record(z.string(), z.string()).nullish(),
  data: z.string().nullish(),
});
export type JsonPayload = z.infer<typeof JsonPayload>;

/** The body of `/encode` and `/decode`, in and out. */
export const CodecBody = z.object({ payloads: z.array(JsonPayload).max(10_000) });
export type CodecBody = z.infer<typeof CodecBody>;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export function payloadToJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(payload.data ?? new Uint8Array()),
  };
}

export function payloadFromJson(json: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([k, v]) => [k, bytes(v)])),
    data: bytes(json.data ?? ''),
  };
}
