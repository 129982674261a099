import jwt from 'jsonwebtoken';
import { codecAccess, isLoopback, type CodecAccessPolicy, type CodecRequest } from '../src/codec-access';
import { createTokenVerifier } from '../src/identity';

const tokenSecret = 'codec-access-test-secret';
const UI = 'http://127.0.0.1:8233';
const local: CodecAccessPolicy = { mode: 'loopback', allowedOrigins: [UI, 'http://localhost:8233'], verifier: createTokenVerifier({ tokenSecret, devTokens: true }) };
const deployed: CodecAccessPolicy = { ...local, mode: 'token', allowedOrigins: ['https://temporal.lifeline.example'] };
const bearer = (role: string, secret = tokenSecret) => `Bearer ${jwt.sign({ role }, secret, { algorithm: 'HS256', subject: `t-${role}`, issuer: 'lifeline', expiresIn: 60 })}`;

/** The code and HTTP-facing shape of a refusal, or the caller let in. */
const decide = async (request: CodecRequest, policy: CodecAccessPolicy) => {
  const access = await codecAccess(request, policy);
  return access.ok ? access.caller : { refused: access.error.code, message: access.error.message, details: access.error.details };
};

describe('who may decode workflow payloads', () => {
  it('locally, the Temporal UI’s page on this machine decodes without a token', async () => {
    expect(await decide({ origin: UI, peer: '127.0.0.1' }, local)).toEqual({ via: 'loopback-ui', origin: UI });
    expect(await decide({ origin: 'http://localhost:8233', peer: '::ffff:127.0.0.1' }, local)).toEqual({ via: 'loopback-ui', origin: 'http://localhost:8233' });
  });

  it('a page of any other origin is refused, even from loopback and even with an administrator’s token', async () => {
    for (const authorization of [undefined, bearer('admin')]) {
      expect(await decide({ origin: 'http://evil.example', peer: '127.0.0.1', authorization }, local)).toMatchObject({
        refused: 'forbidden',
        details: { origin: 'http://evil.example', allowedOrigins: local.allowedOrigins },
      });
    }
    // Same host, another port is another origin.
    expect(await decide({ origin: 'http://127.0.0.1:8080', peer: '127.0.0.1' }, local)).toMatchObject({ refused: 'forbidden' });
  });

  it('locally, a request with neither an origin nor a token (curl, a script) is refused', async () => {
    expect(await decide({ peer: '127.0.0.1' }, local)).toMatchObject({ refused: 'unauthorized', details: { mode: 'loopback' } });
  });

  it('locally, the UI’s origin from another machine is refused without a token', async () => {
    expect(await decide({ origin: UI, peer: '10.1.2.3' }, local)).toMatchObject({ refused: 'unauthorized', message: expect.stringContaining('only this machine') });
    expect(await decide({ origin: UI }, local)).toMatchObject({ refused: 'unauthorized' });
  });

  it('an administrator’s token lets the CLI in, in either mode and from anywhere', async () => {
    expect(await decide({ peer: '10.1.2.3', authorization: bearer('admin') }, deployed)).toEqual({ via: 'token', sub: 't-admin' });
    expect(await decide({ peer: '127.0.0.1', authorization: bearer('admin') }, local)).toEqual({ via: 'token', sub: 't-admin' });
  });

  it('presented credentials are judged and never fall back to loopback trust', async () => {
    const fromUi = { origin: UI, peer: '127.0.0.1' };
    expect(await decide({ ...fromUi, authorization: bearer('operator') }, local)).toMatchObject({ refused: 'forbidden', details: { allowed: ['admin'] } });
    expect(await decide({ ...fromUi, authorization: bearer('admin', 'another-secret-entirely') }, local)).toMatchObject({ refused: 'unauthorized' });
    expect(await decide({ ...fromUi, authorization: 'Basic YWRtaW46YWRtaW4=' }, local)).toMatchObject({ refused: 'unauthorized', message: 'missing bearer token' });
  });

  it('deployed (token mode), the UI’s own origin still needs the forwarded token', async () => {
    const origin = 'https://temporal.lifeline.example';
    expect(await decide({ origin, peer: '127.0.0.1' }, deployed)).toMatchObject({ refused: 'unauthorized', details: { mode: 'token' } });
    expect(await decide({ origin, peer: '10.0.0.7', authorization: bearer('admin') }, deployed)).toEqual({ via: 'token', sub: 't-admin' });
    expect(await decide({ origin, authorization: bearer('commander') }, deployed)).toMatchObject({ refused: 'forbidden' });
  });

  it('knows loopback addresses, IPv4-mapped ones included, and nothing else', async () => {
    expect(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', '::', '', undefined, '127.0.0.1.evil'].map(isLoopback)).toEqual([false, false, false, false, false, false, false]);
  });
});
