import { normalizeBroadcast, normalizeReservations } from '../lib/normalize';

describe('reading a service bench\'s result', () => {
  it('takes a reservation result under any of the names it may use', () => {
    expect(normalizeReservations({ reservationsPerSecond: 1200, latencyMs: { p50: 20, p95: 80 }, oversold: 0 })).toEqual({ perSecond: 1200, p95Ms: 80, oversoldUnits: 0, shortUnits: undefined });
    expect(normalizeReservations({ perSecond: 900, p95Ms: 300, oversoldUnits: 2, shortfallUnits: 40 })).toMatchObject({ perSecond: 900, p95Ms: 300, oversoldUnits: 2, shortUnits: 40 });
  });

  it('names the fields a reservation result lacks, and the ones it has', () => {
    expect(() => normalizeReservations({ perSecond: 900, took: 3 })).toThrow("runReservationBench's result lacks p95Ms, oversoldUnits (has perSecond, took)");
  });

  it('takes a broadcast result printed by the notification bench (batch and naive parts)', () => {
    const printed = { residents: 1000, batch: { sent: 1000, gatewayMessages: 1000, endToEndSeconds: 2.5 }, naive: { sample: 200, seconds: 10, messagesPerSecond: 20 } };
    expect(normalizeBroadcast(printed)).toMatchObject({ sent: 1000, seconds: 2.5, naiveMessagesPerSecond: 20, transmissions: 1000, duplicates: undefined, vulnerableFirst: undefined });
  });

  it('takes a flat broadcast result with its own duplicate and order figures', () => {
    expect(normalizeBroadcast({ sent: 50, seconds: 1, naiveMessagesPerSecond: 5, duplicates: 0, vulnerableFirst: true })).toMatchObject({ duplicates: 0, vulnerableFirst: true });
  });

  it('names what a broadcast result lacks', () => {
    expect(() => normalizeBroadcast({ batch: { sent: 3 } })).toThrow('lacks endToEndSeconds, naive.messagesPerSecond');
  });
});
