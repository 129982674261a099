/**
 * Runs work for the same key one at a time within this process. Task changes go through it to save work, not for
 * correctness: the revision guard already lets only one of two concurrent changes win, but the loser would have
 * read, claimed and written for nothing and then decide again.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => work());
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
