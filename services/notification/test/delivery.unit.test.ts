import { ChannelAdapter, decodeTransmissions, encodeTransmissions, recordedAnswers, type Gateway, type GatewayMessage } from '../src/channels';
import { capWindow } from '../src/domain/contact-cap';
import { fallbackChannel, liveProgress, messageFor, primaryChannel, timeToReach } from '../src/domain/delivery';
import { predictSeconds, TokenBucket } from '../src/domain/rate';
import { summarise } from '../src/domain/summary';

describe('time to reach', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  const at = (s: number) => new Date(start.getTime() + s * 1000);

  it('finds when 50, 90 and 100 % of recipients were settled from the gateway’s answer times', () => {
    expect(timeToReach(start, 10, [{ createdAt: at(4), settled: 4 }, { createdAt: at(1), settled: 2 }, { createdAt: at(9), settled: 4 }])).toEqual({ p50: 4, p90: 9, p100: 9 });
    expect(timeToReach(start, 0, [])).toBeUndefined();
  });

  it('predicts from the channel rate and projects the remaining time from the measured rate', () => {
    expect(predictSeconds(1_000_000, 20_000)).toBe(50);
    expect(liveProgress(start, at(10), 1000, 250)).toEqual({ elapsedSeconds: 10, percentDone: 25, remainingSeconds: 30 });
    expect(liveProgress(start, at(0), 1000, 0)).toEqual({ elapsedSeconds: 0, percentDone: 0 });
  });

  it('a token bucket makes a caller wait for the deficit at the rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(100, 100, () => now, async (ms) => {
      waits.push(ms);
      now += ms;
    });
    await bucket.take(100);
    await bucket.take(50);
    expect(waits).toEqual([500]);
    expect(TokenBucket.delayFor(10, 30, 10)).toBe(2000);
  });
});

describe('what a resident receives', () => {
  it('uses the first channel the step names, falls back to the next, in the resident’s language', () => {
    expect(primaryChannel(['app-push', 'sms'])).toBe('app-push');
    expect(fallbackChannel(['app-push', 'sms'])).toBe('sms');
    expect(fallbackChannel(['sms'])).toBeUndefined();
    expect(messageFor({ zh: '请撤离', en: 'Evacuate' }, 'en')).toBe('Evacuate');
    expect(capWindow(new Date(3_600_000 * 5 + 1), 60)).toBe(5);
  });

  it('a zone channel transmits once per building; drills reach only the sandbox gateway', async () => {
    const calls: { gateway: string; sandbox: boolean; messages: GatewayMessage[] }[] = [];
    const fake = (name: string): Gateway => ({
      name,
      simulated: name === 'sandbox',
      async transmit(_c, sandbox, messages) {
        calls.push({ gateway: name, sandbox, messages: [...messages] });
        return messages.map((m, i) => ({ status: i === 0 ? 'sent' : 'failed', receiptId: `r-${m.residentIds.join('+')}` }));
      },
    });
    const loudspeaker = new ChannelAdapter('loudspeaker', 1000, fake('live'), fake('sandbox'));
    const people = ['a', 'b', 'c'].map((residentId, i) => ({ residentId, channel: 'loudspeaker', language: 'zh' as const, message: '撤离', phone: '13800000000', buildingId: i < 2 ? 'b1' : 'b2' }));
    expect(loudspeaker.transmissions(people)).toBe(2);
    const results = await loudspeaker.send(people, true, { incidentId: 'i', communityId: 'c', severity: 'I', keyPrefix: 'k', callKey: 'k:loudspeaker' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ gateway: 'sandbox', sandbox: true });
    expect(calls[0]!.messages.map((m) => m.address)).toEqual(['building:b1', 'building:b2']);
    expect(results.map((r) => [r.residentId, r.status, r.receiptId])).toEqual([['a', 'sent', 'r-a+b'], ['b', 'sent', 'r-a+b'], ['c', 'failed', 'r-c']]);
  });
});

describe('a gateway call repeated under its key', () => {
  const sent = (receiptId: string) => ({ status: 'sent' as const, receiptId });
  const message = (...residentIds: string[]): GatewayMessage => ({ residentIds, address: 'x', language: 'zh', text: 't' });

  it('is answered per resident from the recorded call, and a one-zone call by the zone’s answer', () => {
    const recorded = decodeTransmissions(encodeTransmissions([message('a'), message('b')], [sent('r-1'), { status: 'failed', receiptId: 'r-2', reason: 'no signal, sorry' }]));
    expect(recordedAnswers(recorded, [message('b'), message('a')], 'k')).toEqual([{ status: 'failed', receiptId: 'r-2', reason: 'no signal, sorry' }, sent('r-1')]);
    expect(recordedAnswers(recorded, [message('z')], 'k')[0]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/not part of the call recorded under k/) });
    const zone = decodeTransmissions(encodeTransmissions([message('a', 'b')], [sent('r-zone')]));
    expect(recordedAnswers(zone, [message('c', 'd')], 'k')).toEqual([sent('r-zone')]);
  });

  it('a zone channel calls the gateway once per zone under the step’s zone key', async () => {
    const keys: string[] = [];
    const gateway: Gateway = {
      name: 'fake',
      simulated: true,
      async transmit(_c, _sandbox, messages, context) {
        keys.push(context.callKey);
        return messages.map(() => sent(`r-${context.callKey}`));
      },
    };
    const loudspeaker = new ChannelAdapter('loudspeaker', 1000, gateway, gateway);
    const people = ['a', 'b', 'c'].map((residentId, i) => ({ residentId, channel: 'loudspeaker', language: 'zh' as const, message: '撤离', phone: '', buildingId: i < 2 ? 'b1' : 'b2' }));
    const results = await loudspeaker.send(people, true, { incidentId: 'i', communityId: 'c', severity: 'I', keyPrefix: 'job', callKey: 'page-call', zoneKeyPrefix: 'i:step:loudspeaker' });
    expect(keys.sort()).toEqual(['i:step:loudspeaker:building:b1', 'i:step:loudspeaker:building:b2']);
    expect(results.map((r) => r.receiptId)).toEqual(['r-i:step:loudspeaker:building:b1', 'r-i:step:loudspeaker:building:b1', 'r-i:step:loudspeaker:building:b2']);
  });
});

describe('an incident summary', () => {
  it('adds up jobs overall and per community, with the review figures', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const summary = summarise(
      'inc-1',
      [
        { communityId: 'c-1', total: 10, sent: 9, failed: 1, duplicatesSkipped: 0, byChannel: { sms: { sent: 9, failed: 1 } }, timeToReach: { p50: 1, p90: 2, p100: 3 } },
        { communityId: 'c-1', total: 5, sent: 5, failed: 0, duplicatesSkipped: 2, frequencyCapped: 1, timeToReach: { p50: 2, p90: 2, p100: 2 } },
        { communityId: 'c-2', total: 3, sent: 3, failed: 0 },
      ],
      2,
      {
        replies: [{ kind: 'safe' }, { kind: 'safe' }, { kind: 'need-help' }],
        cases: [
          { status: 'closed', openedAt: t0, closedAt: new Date(t0.getTime() + 60_000) },
          { status: 'closed', openedAt: t0, closedAt: new Date(t0.getTime() + 120_000) },
          { status: 'dispatched', openedAt: t0 },
        ],
        doorKnocks: 4,
        bulletins: 1,
      },
    );
    expect(summary).toMatchObject({ incidentId: 'inc-1', jobs: 3, total: 18, sent: 17, failed: 1, direct: 2, byCommunity: { 'c-1': { total: 15, sent: 14 }, 'c-2': { total: 3, sent: 3 } } });
    expect(summary).toMatchObject({ timeToReach: { p50: 2, p90: 2, p100: 3 }, duplicatesSuppressed: 2, frequencyCapped: 1, byChannel: { sms: { sent: 9, failed: 1 } } });
    expect(summary).toMatchObject({ repliesByKind: { safe: 2, 'need-help': 1 }, cases: { opened: 3, closed: 2, medianSecondsToClose: 90 }, doorKnocks: 4, bulletins: 1 });
  });
});
