import { PiiVault, isSealed, maskName, maskPhone } from '../src/pii';

const vault = new PiiVault('a'.repeat(64));

describe('personal data', () => {
  it('is sealed with a fresh IV each time and opens back to the clear text', () => {
    const a = vault.seal('13812345678');
    const b = vault.seal('13812345678');
    expect(a).not.toEqual(b);
    expect(isSealed(a)).toBe(true);
    expect(a).not.toContain('13812345678');
    expect(vault.open(a)).toBe('13812345678');
  });

  it('cannot be opened with another key or after tampering', () => {
    const sealed = vault.seal('张三');
    expect(() => new PiiVault('b'.repeat(64)).open(sealed)).toThrow();
    const parts = sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => vault.open(parts.join(':'))).toThrow();
  });

  it('is masked for display', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('Li')).toBe('L*');
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new PiiVault('abcd')).toThrow(/32 bytes/);
  });
});
