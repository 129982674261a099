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
  ])('%s of %j at %d hex characters is the id written before', (prefix, key, length, id) => {
    expect(idFromKey(prefix, key, length)).toBe(id);
  });

  it('joins the parts of a composite key with a newline, as the case ids always did', () => {
    expect(idFromKey('case', ['inc-1', 'reply-key-1'], 20)).toBe('case-3631d411de99555a8249');
    expect(idFromKey('case', ['inc-1', 'reply-key-1'], 20)).toBe(`case-${createHash('sha256').update('inc-1\nreply-key-1').digest('hex').slice(0, 20)}`);
  });

  it('refuses a length that is not a whole number from 8 to 64', () => {
    expect(() => idFromKey('x', 'k', 4)).toThrow(RangeError);
    expect(() => idFromKey('x', 'k', 65)).toThrow(RangeError);
  });
});
