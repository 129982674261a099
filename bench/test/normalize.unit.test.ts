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

  it('takes the results the service benches return (runReservationBench, runBroadcastBench)', () => {
    expect(normalizeReservations({ total: 400, perSecond: 480, p50: 30, p95: 120, p99: 200, stock: 760, asked: 800, reserved: 760, short: 40, oversold: 0, errors: 0 })).toEqual({ perSecond: 480, p95Ms: 120, oversoldUnits: 0, shortUnits: 40 });
    const broadcast = { run: 'r', residents: 5000, seconds: 1.5, perSecond: 3333, sent: 5000, failed: 0, transmissions: 5000, duplicates: 0, vulnerableFirst: false, vulnerableShareFirst: 0.97, naiveSample: 200, naivePerSecond: 21.5 };
    expect(normalizeBroadcast(broadcast)).toEqual({ sent: 5000, seconds: 1.5, naiveMessagesPerSecond: 21.5, duplicates: 0, transmissions: 5000, vulnerableFirst: false, vulnerableShareFirst: 0.97 });
  });

  it('names what a broadcast result lacks', () => {
    expect(() => normalizeBroadcast({ batch: { sent: 3 } })).toThrow('lacks endToEndSeconds, naivePerSecond');
  });
});
