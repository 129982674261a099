import { pollUntil } from '../src/poll';

describe('pollUntil', () => {
  it('returns the first answer that is not undefined, null or false', async () => {
    const answers = [undefined, null, false, 0];
    expect(await pollUntil('an answer', () => answers.shift(), { everyMs: 1 })).toBe(0);
  });

  it('with a predicate, returns the first value the predicate accepts', async () => {
    let n = 0;
    expect(await pollUntil('three', async () => ++n, { until: (v) => v === 3, everyMs: 1 })).toBe(3);
  });

  it('fails naming what did not happen, with the last value a predicate judged', async () => {
    await expect(pollUntil('the moon turns blue', () => ({ colour: 'grey' }), { until: () => false, timeoutMs: 20, everyMs: 5 })).rejects.toThrow(
      'timed out waiting until the moon turns blue (20 ms); last: {"colour":"grey"}',
    );
  });
});
