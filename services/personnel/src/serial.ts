/**
 * Runs work for the same key one at a time within this process. Task transitions go through it because
 * FerretDB's SQLite backend applies a conditional update as a separate read and write, so two concurrent
 * transitions of one task could both "win"; on MongoDB the conditional updates alone would suffice.
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
