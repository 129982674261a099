import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import jwt from 'jsonwebtoken';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  codecKeysFromEnv,
  derivedCodecKey,
  isEncryptedPayload,
  parseCodecKeys,
  payloadFromJson,
  payloadToJson,
  PayloadDecryptionError,
} from '../src/codec';
import { createCodecApp } from '../src/codec-server';
import { createTokenVerifier } from '../src/identity';
import { createLogger } from '../src/logger';

const hex = () => randomBytes(32).toString('hex');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('latin1');
const PERSONAL = { title: 'Flood — call 王小明 13812345678', address: '1 Riverside Road' };

describe('AES-GCM payload codec', () => {
  const k1 = hex();
  const k2 = hex();
  const old = new AesGcmPayloadCodec(parseCodecKeys(`k1:${k1}`));
  const rotated = new AesGcmPayloadCodec(parseCodecKeys(`k2:${k2},k1:${k1}`));

  it('encrypts the whole payload (metadata too) and names the key; decoding gives the original back', async () => {
    const original = defaultPayloadConverter.toPayload(PERSONAL);
    const [encoded] = await old.encode([original]);
    expect(isEncryptedPayload(encoded!)).toBe(true);
    expect(text(encoded!.metadata!['encryption-key-id'])).toBe('k1');
    expect(text(encoded!.data)).not.toContain('13812345678');
    expect(text(encoded!.data)).not.toContain('json/plain');
    const [decoded] = await old.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(PERSONAL);
  });

  it('uses a fresh IV per payload', async () => {
    const p = defaultPayloadConverter.toPayload('same');
    const [a, b] = await old.encode([p, p]);
    expect(text(a!.data)).not.toEqual(text(b!.data));
  });

  it('rotation: encodes with the current key, decodes payloads of any known key', async () => {
    const [byOld] = await old.encode([defaultPayloadConverter.toPayload(PERSONAL)]);
    const [byNew] = await rotated.encode([defaultPayloadConverter.toPayload(PERSONAL)]);
    expect(text(byNew!.metadata!['encryption-key-id'])).toBe('k2');
    const decoded = await rotated.decode([byOld!, byNew!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([PERSONAL, PERSONAL]);
    // A codec that was never given k2 cannot read what k2 wrote.
    await expect(old.decode([byNew!])).rejects.toThrow(PayloadDecryptionError);
  });

  it('refuses tampered data and a swapped key id (the id is authenticated)', async () => {
    const [enc] = await rotated.encode([defaultPayloadConverter.toPayload(PERSONAL)]);
    const flipped = { ...enc!, data: Uint8Array.from(enc!.data!, (b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(rotated.decode([flipped])).rejects.toThrow(/authentication/);
    const sameKeyOtherId = new AesGcmPayloadCodec(parseCodecKeys(`k2:${k2},k9:${k2}`));
    const swapped = { ...enc!, metadata: { ...enc!.metadata, 'encryption-key-id': new TextEncoder().encode('k9') } };
    await expect(sameKeyOtherId.decode([swapped])).rejects.toThrow(/authentication/);
  });

  it('passes through payloads that were never encrypted (histories from before the codec)', async () => {
    const plain = defaultPayloadConverter.toPayload({ a: 1 });
    expect(await rotated.decode([plain])).toEqual([plain]);
  });

  it('validates key configuration', () => {
    expect(() => parseCodecKeys('')).toThrow(/no key/);
    expect(() => parseCodecKeys('k1:abc')).toThrow(/64 hex/);
    expect(() => parseCodecKeys(`k1:${k1},k1:${k2}`)).toThrow(/twice/);
    expect(() => codecKeysFromEnv({})).toThrow(/LIFELINE_CODEC_KEYS/);
    const pii = hex();
    expect(codecKeysFromEnv({ LIFELINE_PII_KEY: pii }).current.id).toBe(derivedCodecKey(pii).id);
    expect(derivedCodecKey(pii).id).not.toBe(derivedCodecKey(hex()).id);
    expect(codecKeysFromEnv({ LIFELINE_PII_KEY: pii, LIFELINE_CODEC_KEYS: `k2:${k2}` }).current.id).toBe('k2');
  });
});

describe('codec server', () => {
  const secret = 'codec-server-test-secret';
  const codec = new AesGcmPayloadCodec(parseCodecKeys(`k1:${hex()}`));
  const origin = 'http://ui.example:8233';
  let server: Server;
  let base: string;
  const token = (role: string) => jwt.sign({ role }, secret, { algorithm: 'HS256', subject: `t-${role}`, issuer: 'lifeline', expiresIn: 60 });
  const post = (path: string, body: unknown, auth?: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin, ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const app = createCodecApp({ codec, mode: 'token', verifier: createTokenVerifier({ tokenSecret: secret, devTokens: true }), allowedOrigins: [origin], log: createLogger('codec-test', 'silent') });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('decodes for an administrator and round-trips through encode', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(PERSONAL)]);
    const res = await post('/codec/decode', { payloads: [payloadToJson(encrypted!)] }, token('admin'));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    const { payloads } = (await res.json()) as { payloads: Parameters<typeof payloadFromJson>[0][] };
    expect(defaultPayloadConverter.fromPayload(payloadFromJson(payloads[0]!))).toEqual(PERSONAL);

    const enc = await post('/codec/encode', { payloads: [payloadToJson(defaultPayloadConverter.toPayload('x'))] }, token('admin'));
    const encoded = ((await enc.json()) as { payloads: Parameters<typeof payloadFromJson>[0][] }).payloads.map(payloadFromJson);
    expect(isEncryptedPayload(encoded[0]!)).toBe(true);
  });

  it('refuses anyone but an administrator (even the UI’s origin on loopback), and bad bodies, with structured errors', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(PERSONAL)]);
    const body = { payloads: [payloadToJson(encrypted!)] };
    const none = await post('/codec/decode', body);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const operator = await post('/codec/decode', body, token('operator'));
    expect(operator.status).toBe(403);
    const forged = await post('/codec/decode', body, jwt.sign({ role: 'admin' }, 'another-secret-xxxx', { algorithm: 'HS256', subject: 'x', issuer: 'lifeline' }));
    expect(forged.status).toBe(401);
    const bad = await post('/codec/decode', { payloads: 'nope' }, token('admin'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('answers CORS preflight for the UI origin only', async () => {
    const ok = await fetch(`${base}/codec/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const other = await fetch(`${base}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('in loopback mode (the local stack) lets the UI’s page on this machine decode without a token, nobody else', async () => {
    const app = createCodecApp({ codec, mode: 'loopback', verifier: createTokenVerifier({ tokenSecret: secret, devTokens: true }), allowedOrigins: [origin], log: createLogger('codec-test', 'silent') });
    const local = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(PERSONAL)]);
      const send = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/codec/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ payloads: [payloadToJson(encrypted!)] }),
        });
      const ui = await send({ origin });
      expect(ui.status).toBe(200);
      const { payloads } = (await ui.json()) as { payloads: Parameters<typeof payloadFromJson>[0][] };
      expect(defaultPayloadConverter.fromPayload(payloadFromJson(payloads[0]!))).toEqual(PERSONAL);
      expect((await send({})).status).toBe(401);
      expect((await send({ origin: 'http://evil.example' })).status).toBe(403);
    } finally {
      await new Promise<void>((resolve) => local.close(() => resolve()));
    }
  });
});
