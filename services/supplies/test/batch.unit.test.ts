import { Batched } from '../src/model/batch';
import { WriteLane } from '../src/model/writeLane';

/** Round trips gathered by `Batched`, behind the write lane. */
it('calls made while a round waits for the write lane go out with it, in one round trip', async () => {
  const lane = new WriteLane(1);
  let open!: () => void;
  const blocker = lane.run(() => new Promise<void>((resolve) => (open = resolve)));
  const rounds: number[][] = [];
  const batched = new Batched(async (items: number[]) => (rounds.push(items), items.map((n) => n * 2)), { max: 500, parallel: 2, through: (op) => lane.run(op) });
  const first = batched.call(1);
  await new Promise((resolve) => setImmediate(resolve));
  const later = [batched.call(2), batched.call(3)];
  open();
  await blocker;
  expect(await Promise.all([first, ...later])).toEqual([2, 4, 6]);
  expect(rounds).toEqual([[1, 2, 3]]);
});

it('a failed round trip fails exactly the calls it carried', async () => {
  const batched = new Batched(async (items: number[]) => {
    if (items.includes(0)) throw new Error('store away');
    return items;
  }, { max: 500, parallel: 2, through: (op) => op() });
  const failed = batched.call(0);
  await expect(failed).rejects.toThrow('store away');
  expect(await batched.call(5)).toBe(5);
});
