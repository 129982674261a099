import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Schema, type Connection, type Model } from 'mongoose';
import { Batched } from './batch';

/**
 * A mark: "the events of these documents may not be out yet". One per insert batch (the ids packed into one string),
 * written beside the documents' own insert, deleted once JetStream acknowledged every event it names.
 */
export interface MarkDoc {
  _id: string;
  ids: string;
  createdAt: Date;
}

const markSchema = new Schema<MarkDoc>(
  { _id: { type: String, required: true }, ids: { type: String, required: true }, createdAt: { type: Date, required: true } },
  { collection: 'outbox', versionKey: false },
);

export const outboxModel = (db: Connection): Model<MarkDoc> => db.models.OutboxMark ?? db.model<MarkDoc>('OutboxMark', markSchema);

/** What a kind of document brings to the outbox. */
export interface OutboxSpec<Doc extends { _id: string }> {
  /** Publish every event the document owes, with ids deterministic per fact (JetStream drops a repeat by `Nats-Msg-Id`). */
  publish(doc: Doc): Promise<void>;
  /** The documents of these ids that exist (a mark may name one whose insert failed). */
  load(ids: string[]): Promise<Doc[]>;
}

export interface OutboxOptions {
  /** Every write goes through it (the write lane). */
  write: <T>(op: () => Promise<T>) => Promise<T>;
  onError(err: unknown, what: string): void;
  /** Documents published side by side. */
  maxBatch?: number;
  /** How long acknowledged marks gather before one `deleteMany` removes them. */
  clearAfterMs?: number;
  /** How often the store is swept for marks nobody here is finishing (another instance died, an insert failed). */
  sweepEveryMs?: number;
  /** A mark younger than this is left to the process that wrote it. */
  sweepOlderThanMs?: number;
}

interface Entry<Doc> {
  doc: Doc;
  mark: string;
}

/**
 * Events published after the state they announce is durable, off the answer path, exactly once.
 *
 * Before a document is answered, a mark naming it is durable beside it (`mark`, one small insert per batch, sent with
 * the documents' own insert); then `add` queues its events, which go out in batches with every publish in flight at
 * once; once JetStream acknowledged all the events a mark names, the mark is deleted (one `deleteMany` per
 * `clearAfterMs`). A crash anywhere leaves the marks of everything not yet acknowledged: `start` publishes the
 * documents every mark names again, and a sweep does the same for marks left behind by another instance (or by an
 * insert that failed: only documents that exist are published). A repeat is a publish with the same `Nats-Msg-Id`,
 * which JetStream drops within its duplicate window (LIFELINE_EVENTS: 600 s), so an event is published once unless a
 * process dies within `clearAfterMs` of an acknowledgement and its marks are replayed more than 10 minutes later.
 *
 * Why not a field on the document: taking it off is an update per document, and on the local store updating 30
 * reservations costs 1.28 ms of FerretDB CPU each; a mark document costs 0.05 ms to insert and 0.12 to delete.
 */
export class Outbox<Doc extends { _id: string }> {
  private readonly writer = randomBytes(4).toString('hex');
  private marks = 0;
  private readonly marking: Batched<string, string>;
  /** Per mark, the documents it names whose events are not out yet. */
  private readonly open = new Map<string, Set<string>>();
  private readonly queue = new Map<string, Entry<Doc>>();
  private readonly inFlight = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private done: string[] = [];
  private pumping: Promise<void> | undefined;
  private clearing: Promise<void> | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly model: Model<MarkDoc>,
    private readonly spec: OutboxSpec<Doc>,
    private readonly opts: OutboxOptions,
  ) {
    this.marking = new Batched((ids: string[]) => this.writeMark(ids), { max: 500, parallel: 2, through: opts.write });
  }

  /** Resolves once a mark naming the document is durable; returns the mark, for `add`. */
  mark(id: string): Promise<string> {
    return this.marking.call(id);
  }

  /** The document is durable and marked: publish its events. */
  add(doc: Doc, mark: string): void {
    const key = `${mark}/${doc._id}`;
    if (this.queue.has(key) || this.inFlight.has(key)) return;
    this.queue.set(key, { doc, mark });
    this.pump();
  }

  /**
   * The attempt that marked the document will not `add` it (it failed, or found the document written by another
   * attempt): publish it under the mark if it exists after all, else let the mark go of it. Without this the mark would
   * wait for the next sweep, and an answered reservation would still look unpublished for a minute.
   */
  recheck(mark: string, id: string): void {
    if (!this.open.get(mark)?.has(id)) return;
    this.spec.load([id]).then(
      ([doc]) => {
        if (doc) return this.add(doc, mark);
        const open = this.open.get(mark);
        open?.delete(id);
        if (open?.size === 0) this.finished(mark);
      },
      // The mark stays in the store: the sweep publishes what it names.
      (err: unknown) => this.opts.onError(err, 'recheck'),
    );
  }

  /** Resolves once the document's events queued here are out (at once when none are, or the outbox has stopped). */
  settle(id: string): Promise<void> {
    const pending = [...this.queue.values()].some((e) => e.doc._id === id) || [...this.inFlight].some((k) => k.endsWith(`/${id}`));
    if (!pending || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  /** Publish what every mark in the store names (a crash before its events were acknowledged), then sweep now and then. */
  async start(): Promise<() => Promise<void>> {
    await this.sweep(undefined);
    const every = this.opts.sweepEveryMs ?? 60_000;
    this.sweeper = setInterval(() => void this.sweep(new Date(Date.now() - (this.opts.sweepOlderThanMs ?? 30_000))), every);
    this.sweeper.unref();
    return () => this.stop();
  }

  /** Finish the batch in flight and delete its marks; what is still queued stays marked for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const resolve of [...this.waiters.values()].flat()) resolve();
    this.waiters.clear();
    await this.pumping;
    await this.clearing;
    await this.clearMarks();
  }

  private async writeMark(ids: string[]): Promise<string[]> {
    const mark = `${this.writer}.${++this.marks}`;
    this.open.set(mark, new Set(ids));
    await this.model.collection.insertOne({ _id: mark, ids: ids.join(';'), createdAt: new Date() } as never);
    return ids.map(() => mark);
  }

  /** The marks written before `before` (all of them without it): what they name is published again. */
  private async sweep(before: Date | undefined): Promise<void> {
    let marks: MarkDoc[];
    try {
      marks = await this.model.find(before ? { createdAt: { $lt: before } } : {}).lean<MarkDoc[]>().exec();
    } catch (err) {
      return this.opts.onError(err, 'sweep');
    }
    // One mark's failed load leaves that mark to the next sweep, not the ones after it.
    for (const m of marks) {
      try {
        const docs = await this.spec.load(m.ids.split(';'));
        this.open.set(m._id, new Set(docs.map((d) => d._id)));
        if (docs.length === 0) this.finished(m._id);
        for (const doc of docs) this.add(doc, m._id);
      } catch (err) {
        this.opts.onError(err, 'sweep');
      }
    }
  }

  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = this.publishQueued().finally(() => {
      this.pumping = undefined;
      if (this.queue.size > 0) this.pump();
    });
  }

  private async publishQueued(): Promise<void> {
    while (this.queue.size > 0 && !this.stopped) {
      const batch = [...this.queue.entries()].slice(0, this.opts.maxBatch ?? 500);
      for (const [key] of batch) {
        this.queue.delete(key);
        this.inFlight.add(key);
      }
      const outcomes = await Promise.allSettled(batch.map(([, e]) => this.spec.publish(e.doc)));
      let failed: unknown;
      batch.forEach(([key, e], i) => {
        this.inFlight.delete(key);
        const outcome = outcomes[i]!;
        if (outcome.status === 'fulfilled') this.published(e);
        else {
          failed = outcome.reason;
          // NATS away: keep it queued (its mark stays in the store too) and try again after a growing pause.
          this.queue.set(key, e);
        }
      });
      if (failed === undefined) {
        this.failures = 0;
        continue;
      }
      this.opts.onError(failed, 'publish');
      await sleep(Math.min(10_000, 500 * 2 ** this.failures++), undefined, { ref: false });
    }
  }

  private published({ doc, mark }: Entry<Doc>): void {
    for (const resolve of this.waiters.get(doc._id) ?? []) resolve();
    this.waiters.delete(doc._id);
    const open = this.open.get(mark);
    open?.delete(doc._id);
    if (open?.size === 0) this.finished(mark);
  }

  private finished(mark: string): void {
    this.open.delete(mark);
    this.done.push(mark);
    this.clearing ??= sleep(this.opts.clearAfterMs ?? 200, undefined, { ref: false })
      .then(() => this.clearMarks())
      .finally(() => (this.clearing = undefined));
  }

  private async clearMarks(): Promise<void> {
    const marks = this.done;
    this.done = [];
    if (marks.length === 0) return;
    try {
      await this.opts.write(() => this.model.collection.deleteMany({ _id: { $in: marks } } as never));
    } catch (err) {
      // The marks stay: the next sweep publishes what they name again, and JetStream drops the repeats.
      this.opts.onError(err, 'clear');
    }
  }
}
