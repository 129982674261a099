import { createHash } from 'node:crypto';
import { idFromKey } from '../src/ids';

// Stored ids: these outputs must never change (a retry across versions must find the first attempt's record).
describe('idFromKey', () => {
  it.each([
    ['led', 'task-completed:task-1', 32, 'led-02de160e597787e34027d3109180d10c'],
    ['rdm', 'redeem-key-1', 24, 'rdm-b9a0fd67272103fb0a4ca6f4'],
    ['bltn', 'bulletin-key-1', 20, 'bltn-5a76c1ce7ccbffb30482'],
    ['reply', 'reply-key-1', 20, 'reply-831d0eb1c1553c00f89b'],
    ['surge', 'surge-key-1', 24, 'surge-5a82f5ec0ebdcc89631fc2f3'],
    ['task', 'inc-1:door-knock:c-1', 24, 'task-9fdb2915138f6c6f44171433'],
    ['res', 'wf-1/reserve-shelter-kits', 24, 'res-ee3a3515a3c8ff6e09cbf458'],
    ['insp', 'inspect-key-1', 24, 'insp-36edf2ffee34c1d032b60d2f'],
    ['open', 'open-site-key-1', 32, 'open-b18d2a785b5bd842c2d97f46bdf71e82'],
  ])('%s of %j at %d hex characters is the id written before', (prefix, key, length, id) => {
    expect(idFromKey(prefix, key, length)).toBe(id);
  });

  it('joins the parts of a composite key with a newline, as the case ids always did', () => {
    expect(idFromKey('case', ['inc-1', 'reply-key-1'], 20)).toBe('case-3631d411de99555a8249');
    expect(idFromKey('tr', ['res-1', 'lot-1'], 24)).toBe('tr-64d72fb797dafae244ab4758');
    expect(idFromKey('case', ['inc-1', 'reply-key-1'], 20)).toBe(`case-${createHash('sha256').update('inc-1\nreply-key-1').digest('hex').slice(0, 20)}`);
  });

  it('refuses a length that is not a whole number from 8 to 64', () => {
    expect(() => idFromKey('x', 'k', 4)).toThrow(RangeError);
    expect(() => idFromKey('x', 'k', 65)).toThrow(RangeError);
  });
});
