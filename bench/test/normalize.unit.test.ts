import { normalizeBroadcast } from '../lib/normalize';

describe('reading the notification bench\'s result', () => {
  it('takes a broadcast result printed by the notification bench (batch and naive parts)', () => {
    const printed = { residents: 1000, batch: { sent: 1000, gatewayMessages: 1000, endToEndSeconds: 2.5 }, naive: { sample: 200, seconds: 10, messagesPerSecond: 20 } };
    expect(normalizeBroadcast(printed)).toMatchObject({ sent: 1000, seconds: 2.5, naiveMessagesPerSecond: 20, transmissions: 1000, duplicates: undefined, vulnerableFirst: undefined });
  });

  it('takes a flat broadcast result with its own duplicate and order figures', () => {
    expect(normalizeBroadcast({ sent: 50, seconds: 1, naiveMessagesPerSecond: 5, duplicates: 0, vulnerableFirst: true })).toMatchObject({ duplicates: 0, vulnerableFirst: true });
  });

  it('takes the result runBroadcastBench returns', () => {
    const broadcast = { run: 'r', residents: 5000, seconds: 1.5, perSecond: 3333, sent: 5000, failed: 0, transmissions: 5000, duplicates: 0, vulnerableFirst: false, vulnerableShareFirst: 0.97, naiveSample: 200, naivePerSecond: 21.5 };
    expect(normalizeBroadcast(broadcast)).toEqual({ sent: 5000, seconds: 1.5, naiveMessagesPerSecond: 21.5, duplicates: 0, transmissions: 5000, vulnerableFirst: false, vulnerableShareFirst: 0.97 });
  });

  it('names what a broadcast result lacks', () => {
    expect(() => normalizeBroadcast({ batch: { sent: 3 } })).toThrow('lacks endToEndSeconds, naivePerSecond');
  });
});
