/** What one stored change of a task still owes: its revision, events, ended claims and the owner to message. */
export interface Owed {
  rev: number;
  events: readonly unknown[];
  release: readonly string[];
  notify?: string | undefined;
}

/**
 * What a new change keeps of the outbox it found: the entries not yet known carried out (`carriedOutUpTo` is the
 * revision up to which this process published and released them), without their owner messages, since a later
 * change supersedes them (the owner acknowledged, left or finished); an entry left with nothing to do goes.
 */
export function carriedForward<E extends Owed>(outbox: readonly E[], carriedOutUpTo: number): Omit<E, 'notify'>[] {
  return outbox.filter((e) => e.rev > carriedOutUpTo && (e.events.length > 0 || e.release.length > 0)).map(({ notify: _superseded, ...facts }) => facts);
}

/** The one owner message an outbox still wants: the latest change's (`rev`, the task's revision), if it has one. */
export function messageOwed(outbox: readonly Owed[], rev: number): string | undefined {
  return outbox.find((e) => e.rev === rev)?.notify;
}
