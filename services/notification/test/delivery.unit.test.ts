import { SimulatedGateway } from '../src/channels';
import { allBatchesDone, messageFor, primaryChannel, progressOf, tallyBatch } from '../src/domain/delivery';
import { summarise } from '../src/domain/summary';

describe('counting a batch', () => {
  it('counts residents reached before as duplicates, never as sent', () => {
    expect(tallyBatch(5, ['sent', 'sent', 'failed'])).toEqual({ sent: 2, failed: 1, duplicatesSkipped: 2 });
    expect(tallyBatch(3, [])).toEqual({ sent: 0, failed: 0, duplicatesSkipped: 3 });
  });

  it('sums a job from its batch results and completes it when every batch is counted', () => {
    const job = { batches: 3 };
    const results = [
      { batch: 1, sent: 500, failed: 0, duplicatesSkipped: 0 },
      { batch: 0, sent: 499, failed: 1, duplicatesSkipped: 0 },
    ];
    expect(progressOf(job, [])).toMatchObject({ status: 'queued', sent: 0, batchesDone: [] });
    expect(progressOf(job, results)).toEqual({ status: 'sending', batchesDone: [0, 1], sent: 999, failed: 1, duplicatesSkipped: 0 });
    expect(progressOf(job, [...results, { batch: 2, sent: 0, failed: 0, duplicatesSkipped: 200 }]).status).toBe('completed');
    expect(allBatchesDone({ batches: 2, batchesDone: [1, 1] })).toBe(false);
  });
});

describe('what a resident receives', () => {
  it('uses the first channel the step names, in the resident’s language', () => {
    expect(primaryChannel(['app-push', 'sms'])).toBe('app-push');
    expect(messageFor({ zh: '请撤离', en: 'Evacuate' }, 'en')).toBe('Evacuate');
  });

  it('the simulated gateway answers per recipient, failing the configured share', async () => {
    const batch = ['a', 'b', 'c', 'd'].map((residentId) => ({ residentId, channel: 'sms', language: 'zh' as const, message: 'x', phone: '13800000000' }));
    const none = await new SimulatedGateway({ failureRate: 0, delayMs: 0 }).send(batch);
    expect(none.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const rolls = [0.1, 0.9, 0.2, 0.8];
    const half = await new SimulatedGateway({ failureRate: 0.5, delayMs: 0, random: () => rolls.shift()! }).send(batch);
    expect(half.map((r) => r.status)).toEqual(['failed', 'sent', 'failed', 'sent']);
  });
});

describe('an incident summary', () => {
  it('adds up jobs overall and per community', () => {
    const summary = summarise('inc-1', [
      { communityId: 'c-1', total: 10, sent: 9, failed: 1 },
      { communityId: 'c-1', total: 5, sent: 5, failed: 0 },
      { communityId: 'c-2', total: 3, sent: 3, failed: 0 },
    ], 2);
    expect(summary).toEqual({ incidentId: 'inc-1', jobs: 3, total: 18, sent: 17, failed: 1, direct: 2, byCommunity: { 'c-1': { total: 15, sent: 14 }, 'c-2': { total: 3, sent: 3 } } });
  });
});
