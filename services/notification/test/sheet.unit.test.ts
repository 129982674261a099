import { callKeyOf, decodeOutcomes, encodeClaim, encodeOutcomes, pendingByTag, resolveSheet, roundTag, tallyPage, type Outcome } from '../src/domain/sheet';
import { decodeTally, encodeTally, expectedByShard, jobOfShard, shardComplete, sumTallies, TALLY_SHARDS, tallyShardOf } from '../src/domain/tally';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `r-${from + i}`);
const sent = (residentId: string, at = 1000, channel = 'sms'): Outcome => ({ residentId, status: 'sent', channel, at, receiptId: `rcpt-${residentId}` });

describe('claiming residents for a step on a delivery sheet', () => {
  it('gives each resident to the first job that claimed them; the others see them as taken', () => {
    const state = resolveSheet({ claims: [encodeClaim('job-a', ids(3)), encodeClaim('job-b', ids(4, 1))], outcomes: [] });
    expect(state.owners.get('r-0')).toEqual({ jobId: 'job-a', round: 0 });
    expect(state.owners.get('r-2')).toEqual({ jobId: 'job-a', round: 0 });
    expect(state.owners.get('r-4')).toEqual({ jobId: 'job-b', round: 0 });
    expect([...pendingByTag(state, 'job-b')]).toEqual([['job-b', ['r-3', 'r-4']]]);
  });

  it('reaches the same owners whichever job reads the sheet, and a repeated claim changes nothing', () => {
    const claims = [encodeClaim('job-a', ids(3)), encodeClaim('job-a', ids(3)), encodeClaim('job-b', ids(3))];
    const state = resolveSheet({ claims, outcomes: [] });
    expect([...state.owners.values()].every((o) => o.jobId === 'job-a' && o.round === 0)).toBe(true);
    expect(pendingByTag(state, 'job-b').size).toBe(0);
  });

  it('puts residents a later claim of the same job added in a round of their own, with its own call key', () => {
    const state = resolveSheet({ claims: [encodeClaim('job-a', ids(2)), encodeClaim('job-a', ids(3))], outcomes: [] });
    expect(state.owners.get('r-2')).toEqual({ jobId: 'job-a', round: 1 });
    expect([...pendingByTag(state, 'job-a')]).toEqual([['job-a', ['r-0', 'r-1']], ['job-a#1', ['r-2']]]);
    expect(roundTag({ jobId: 'job-a', round: 1 })).toBe('job-a#1');
    expect(callKeyOf('inc:step:c/o/0', 'job-a#1', 'sms')).toBe('inc:step:c/o/0:job-a#1:sms');
  });

  it('takes an outcome only from the owner, the first one recorded', () => {
    const claims = [encodeClaim('job-a', ['r-0', 'r-1'])];
    const outcomes = [encodeOutcomes('job-b', [sent('r-0', 1)]), encodeOutcomes('job-a', [sent('r-0', 2)]), encodeOutcomes('job-a', [sent('r-0', 3)])];
    const state = resolveSheet({ claims, outcomes });
    expect(state.outcomes.get('r-0')!.at).toBe(2);
    expect([...pendingByTag(state, 'job-a')]).toEqual([['job-a', ['r-1']]]);
  });

  it('packs outcomes into one string and reads them back, receipts with any characters included', () => {
    const outcomes: Outcome[] = [sent('r-0'), { residentId: 'r-1', status: 'failed', channel: 'sms', at: 5 }, { residentId: 'r-2', status: 'sent', channel: 'sms', fallbackFrom: 'app-push', receiptId: 'id, with | odd: chars', at: 1_900_000_000_000 }, { residentId: 'r-3', status: 'capped', channel: 'app-push', at: 7 }];
    expect(decodeOutcomes(encodeOutcomes('job-a', outcomes))).toEqual({ jobId: 'job-a', outcomes });
    expect(decodeOutcomes(encodeOutcomes('job-a', []))).toEqual({ jobId: 'job-a', outcomes: [] });
  });
});

describe('counting a page', () => {
  it('counts residents another job reached as duplicates, never as sent; capped and fallbacks apart', () => {
    const claims = [encodeClaim('job-b', ['r-0', 'r-1']), encodeClaim('job-a', ids(5))];
    const outcomes = [encodeOutcomes('job-a', [sent('r-2', 10, 'app-push'), { residentId: 'r-3', status: 'sent', channel: 'sms', fallbackFrom: 'app-push', at: 20 }, { residentId: 'r-4', status: 'capped', channel: 'app-push', at: 10 }])];
    const t = tallyPage('c-1/o/0', resolveSheet({ claims, outcomes }), 'job-a', ids(5), 5, 30);
    expect(t).toEqual({ pageId: 'c-1/o/0', recipients: 5, expected: 5, sent: 2, failed: 0, duplicatesSkipped: 2, frequencyCapped: 1, fallbacks: 1, byChannel: { 'app-push': { sent: 1, failed: 0 }, sms: { sent: 1, failed: 0 } }, settled: [[10, 2], [20, 1], [30, 2]] });
  });

  it('counts a resident this job claimed earlier who has left the page since', () => {
    const state = resolveSheet({ claims: [encodeClaim('job-a', ['r-0', 'r-1'])], outcomes: [encodeOutcomes('job-a', [sent('r-0'), { residentId: 'r-1', status: 'failed', channel: 'sms', at: 1000 }])] });
    expect(tallyPage('c-1/o/0', state, 'job-a', ['r-0'], 2, 0)).toMatchObject({ recipients: 2, sent: 1, failed: 1 });
  });

  it('sums a job from its page records, the first record of a page only', () => {
    const page = (pageId: string, sentN: number, at: number) => encodeTally({ pageId, recipients: sentN + 1, expected: sentN, sent: sentN, failed: 1, duplicatesSkipped: 0, frequencyCapped: 0, fallbacks: 0, byChannel: { sms: { sent: sentN, failed: 1 } }, settled: [[at, sentN + 1]] });
    const records = [page('c-1/v/0', 100, 1), page('c-1/o/0', 900, 2), page('c-1/o/0', 5, 3)];
    expect(decodeTally(records[0]!)).toMatchObject({ pageId: 'c-1/v/0', sent: 100, settled: [[1, 101]] });
    expect(sumTallies(records)).toEqual({ pagesCounted: 2, pagesToCount: 0, vulnerablePagesCounted: 1, sent: 1000, failed: 2, duplicatesSkipped: 0, frequencyCapped: 0, fallbacks: 0, byChannel: { sms: { sent: 1000, failed: 2 } }, totalCorrection: 2, settled: [{ at: 1, n: 101 }, { at: 2, n: 901 }] });
    expect(sumTallies([])).toMatchObject({ pagesCounted: 0, sent: 0 });
  });

  it('spreads a job over shards, complete when every page the cut expects is counted', () => {
    const pageIds = Array.from({ length: 1001 }, (_, i) => `c-1/${i < 112 ? 'v' : 'o'}/${i}`);
    const shards = expectedByShard('bcast-1', pageIds);
    expect(shards.size).toBe(TALLY_SHARDS);
    expect([...shards.values()].flat().sort()).toEqual([...pageIds].sort());
    expect(Math.max(...[...shards.values()].map((s) => s.length))).toBeLessThan(120);
    expect(jobOfShard(tallyShardOf('bcast-1', 'c-1/o/7'))).toBe('bcast-1');
    const record = (pageId: string) => encodeTally({ pageId, recipients: 1, expected: 1, sent: 1, failed: 0, duplicatesSkipped: 0, frequencyCapped: 0, fallbacks: 0, byChannel: {}, settled: [] });
    expect(shardComplete({ expected: ['c/o/0', 'c/o/16'], pages: [record('c/o/0')] })).toBe(false);
    expect(shardComplete({ expected: ['c/o/0', 'c/o/16'], pages: [record('c/o/16'), record('c/o/0')] })).toBe(true);
    expect(shardComplete({ pages: [record('c/o/0')] })).toBe(false);
    expect(sumTallies([record('c/o/0')], ['c/o/0', 'c/o/16'])).toMatchObject({ pagesCounted: 1, pagesToCount: 1 });
  });
});
