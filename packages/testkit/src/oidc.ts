/**
 * A local OIDC issuer for tests: an HTTP server on loopback serving the discovery document and a JWKS of RSA keys the
 * test generates, and signing access tokens with them. `rotate()` publishes a new key in place of the old one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function rsaKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export interface TestIssuer {
  /** `http://127.0.0.1:<port>/realms/lifeline-test` */
  issuer: string;
  /** Key set fetches served so far. */
  jwksFetches(): number;
  /** Sign with the published key (or `key: 'unpublished'`: a key never in the JWKS). */
  sign(claims: JWTPayload, opts?: { key?: 'current' | 'unpublished' | 'retired'; expiresIn?: string | number }): Promise<string>;
  /** Forgeries a verifier must refuse: an unsigned token (`alg: none`), or one signed HS256 with `secret`. */
  forge(claims: JWTPayload, how: { alg: 'none' } | { alg: 'HS256'; secret: string }): Promise<string>;
  /** Publish a new key in place of the current one (the old one is retired: no longer in the JWKS). */
  rotate(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  let current = await rsaKey('key-1');
  let retired: SigningKey | undefined;
  const unpublished = await rsaKey('key-unpublished');
  let fetches = 0;
  let issuer = '';
  const server = http.createServer((req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/realms/lifeline-test/.well-known/openid-configuration') return send({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` });
    if (req.url === '/realms/lifeline-test/protocol/openid-connect/certs') {
      fetches++;
      return send({ keys: [current.jwk] });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/lifeline-test`;
  return {
    issuer,
    jwksFetches: () => fetches,
    async sign(claims, opts = {}) {
      const key = opts.key === 'unpublished' ? unpublished : opts.key === 'retired' ? retired! : current;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' })
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '5m')
        .sign(key.privateKey);
    },
    async forge(claims, how) {
      if (how.alg === 'none') return new UnsecuredJWT(claims).setIssuedAt().setExpirationTime('5m').encode();
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(how.secret));
    },
    async rotate() {
      retired = current;
      current = await rsaKey(`key-${Date.now()}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
