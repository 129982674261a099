import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateSecrets, secretsPath } from '../src/secrets';
import { NATS_USERS } from '@lifeline/contracts/permissions';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-secrets-'));

describe('stack secrets', () => {
  it('are generated on first use into a file only the owner can read', () => {
    const dir = tmpDir();
    const s = loadOrCreateSecrets(dir);
    expect(fs.statSync(secretsPath(dir)).mode & 0o777).toBe(0o600);
    expect(s.piiKey).toMatch(/^[0-9a-f]{64}$/);
    expect(s.tokenSecret.length).toBeGreaterThanOrEqual(32);
    for (const u of NATS_USERS) expect(s.nats[u]).toEqual(expect.any(String));
    expect(new Set(Object.values(s.nats)).size).toBe(NATS_USERS.length);
  });

  it('are reused on the next start', () => {
    const dir = tmpDir();
    expect(loadOrCreateSecrets(dir)).toEqual(loadOrCreateSecrets(dir));
  });

  it('keep existing keys when a newer user is added', () => {
    const dir = tmpDir();
    const first = loadOrCreateSecrets(dir);
    const { bridge: _dropped, ...older } = first.nats;
    fs.writeFileSync(secretsPath(dir), JSON.stringify({ ...first, nats: older }));
    const completed = loadOrCreateSecrets(dir);
    expect(completed.piiKey).toBe(first.piiKey);
    expect(completed.nats.admin).toBe(first.nats.admin);
    expect(completed.nats.bridge).toEqual(expect.any(String));
  });
});
