import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Model } from 'mongoose';
import { LifelineError } from '@lifeline/contracts';

/**
 * A document whose counters are the truth about something (a lot's stock), with a version `v` and the packed journal
 * of its last commit: what that commit made true in other documents (the holds it created or moved).
 */
export interface JournaledDoc {
  _id: string;
  v: number;
  pending?: string;
  /** The commit that wrote this version (a token unique to it; see `GuardedUpdates`). */
  by?: string;
}

/**
 * One journaled document's commit (`GuardedUpdates` applies it): the update applies only while the document is at
 * version `v`, and it also sets `by`, a token unique to this commit, so that a round trip carrying several commits
 * can tell which of them landed.
 */
export interface GuardedUpdate {
  id: string;
  v: number;
  by: string;
  update: { $inc: Record<string, number>; $set: Record<string, unknown> };
}

/** What a batch does: increments of the document's counters, journal entries, one result per request. */
export interface Decision<Entry, Result> {
  inc: Record<string, number>;
  entries: Entry[];
  results: Result[];
}

/** What a kind of journaled document brings: its decision, its journal format, and how entries are made true. */
export interface JournalSpec<Doc extends JournaledDoc, Request, Result, Entry> {
  /**
   * Decide a batch against the document as this process last loaded or committed it. May read what the decision needs
   * (never write). `loadedAt` is the epoch of the load (see `JournaledWriter.epoch`), so the caller can tell which
   * reads made before the batch still hold.
   */
  decide(id: string, doc: Doc, batch: readonly Request[], loadedAt: number): Promise<Decision<Entry, Result>>;
  /** The journal as one string: an array of objects in a hot document costs ~34 ms a write, a string ~4 ms. */
  pack(entries: readonly Entry[]): string;
  unpack(journal: string | undefined): Entry[];
  /** Make entries true where they belong. Idempotent: it may run twice, late, or after a crash, by any process. */
  flush(id: string, entries: readonly Entry[]): Promise<void>;
  /** A commit's entries were written: what this process knows beyond the last load. */
  committed?(id: string, entries: readonly Entry[]): void;
  /** The document was (re)loaded and its journal flushed: anything remembered from before is superseded. */
  loaded?(id: string): Promise<void> | void;
  /** Make a document written before it had a version journaled (`v: 0`), once. */
  adopt?(id: string, doc: Omit<Doc, 'v'>): Promise<void>;
}

/** A request's result once its commit landed, and the flush of the entries that result rests on. */
export interface Committed<Result> {
  result: Result;
  flushed: Promise<void>;
}

interface Waiting<Request, Result> {
  request: Request;
  /** Called once the request's commit landed (or it needed none), with the flush its result rests on. */
  settle(result: Result, flushed: Promise<void>): void;
  reject(err: unknown): void;
}

interface Slot<Doc, Request, Result, Entry> {
  /** The document as of this process's last load or commit; undefined = reload (and flush) before deciding. */
  doc?: Doc;
  /** A flush failed (or memory is full): reload, flushing the journal, before the next decision. */
  mustReload: boolean;
  loadedAt: number;
  queue: Waiting<Request, Result>[];
  running: boolean;
  /** Entries committed here whose flush has not landed yet: every commit journals them again until it does. */
  carried: Entry[];
  /** The flush in flight (flushes of one document run one after another). */
  flushing: Promise<void>;
}

export interface JournalStats {
  /** Conditional updates that landed: one per batch that changed something. */
  commits: number;
  /** Requests answered by those commits. */
  requests: number;
  /** Conditional updates that found another version (another process wrote first). */
  misses: number;
  loads: number;
}

/**
 * The one journal mechanism for counters that must never go wrong under concurrency, reusable by any document with
 * counters + version + pending journal (lots use it through `LotWriter`).
 *
 * One writer per document per process, with group commit: requests for a document queue while its commit is in
 * flight, and the next commit takes them all. A commit is ONE conditional update,
 * `updateOne({_id, v}, {$inc: counters, $set: {v: v+1, pending: journal, by: token}})`, so the decision and the list of
 * writes it implies are one atomic write (commits of different documents may share a round trip: `opts.update`,
 * `GuardedUpdates`); then the journal's entries are flushed (idempotent writes elsewhere), and the next commit replaces
 * `pending` (carrying over any entry whose flush has not landed yet). A miss on `v` means another process committed:
 * reload, flush its journal, decide again.
 * Loading a document flushes its leftover journal first (a crash between the commit and the flush), so every
 * document a decision reads reflects every commit up to the version it decides on — which is why no other version
 * log is needed. Single-document atomic updates are all it relies on (MongoDB; the local FerretDB with our patches).
 *
 * Why batch (supplies README): the store runs one write at a time per database (~1.5 ms for an update by `_id`), so a
 * write per change would cap a hot lot at a few hundred changes per second; a 1,000-reservation burst on 30 lots
 * created 903 holds in 48 commits.
 */
export class JournaledWriter<Doc extends JournaledDoc, Request, Result, Entry> {
  private readonly slots = new Map<string, Slot<Doc, Request, Result, Entry>>();
  private loads = 0;
  private commits = 0;
  /** Names this process in its commits' `by` tokens. */
  private readonly writer = randomBytes(4).toString('hex');
  readonly stats: JournalStats = { commits: 0, requests: 0, misses: 0, loads: 0 };

  constructor(
    private readonly model: Model<Doc>,
    private readonly spec: JournalSpec<Doc, Request, Result, Entry>,
    /** `update` applies one commit's guarded update and says whether it landed (`GuardedUpdates.apply`). */
    private readonly opts: { attempts: number; maxBatch: number; update: (op: GuardedUpdate) => Promise<boolean> },
  ) {}

  /** A counter that grows with every load: read it before reading facts a later decision may rely on. */
  epoch(): number {
    return this.loads;
  }

  /** Whether the document is loaded and clean here, loaded no later than `epoch`: reads started at `epoch` still hold. */
  current(id: string, epoch: number): boolean {
    const slot = this.slots.get(id);
    return slot?.doc !== undefined && !slot.mustReload && slot.loadedAt <= epoch;
  }

  /**
   * The document as this process last loaded or committed it, when that is all there is to know here: loaded, clean,
   * and no request queued or committing for it. Undefined otherwise.
   */
  settled(id: string): Doc | undefined {
    const slot = this.slots.get(id);
    return slot && !slot.running && slot.queue.length === 0 && !slot.mustReload ? slot.doc : undefined;
  }

  /** Reload the document (flushing its journal) before its next decision. */
  forget(id: string): void {
    const slot = this.slots.get(id);
    if (slot) slot.mustReload = true;
  }

  /** The request's result once the entries it rests on are flushed (written where they belong). */
  submit(id: string, request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => this.enqueue(id, { request, settle: (result, flushed) => flushed.then(() => resolve(result), reject), reject }));
  }

  /**
   * The request's result as soon as its commit is durable (its entries are in the document's journal), with the flush
   * still to land: a caller can overlap its own writes with the flush, and must wait for it before telling anyone.
   */
  submitCommitted(id: string, request: Request): Promise<Committed<Result>> {
    return new Promise<Committed<Result>>((resolve, reject) => this.enqueue(id, { request, settle: (result, flushed) => resolve({ result, flushed }), reject }));
  }

  private enqueue(id: string, waiting: Waiting<Request, Result>): void {
    let slot = this.slots.get(id);
    if (!slot) this.slots.set(id, (slot = { mustReload: false, loadedAt: 0, queue: [], running: false, carried: [], flushing: Promise.resolve() }));
    const s = slot;
    s.queue.push(waiting);
    if (s.running) return;
    s.running = true;
    // The first commit after a quiet spell also takes whatever else arrives in this turn of the event loop.
    setImmediate(() => void this.run(id, s));
  }

  /**
   * Commit batch after batch. A batch's requests are settled once its commit landed, with the flush their results rest
   * on (`submit` answers after it, `submitCommitted` hands it over), and the next commit does not wait for that flush:
   * it journals the entries still unflushed again, so a crash at any point leaves every committed entry in `pending`.
   * This halves a lot's cycle under load.
   */
  private async run(id: string, slot: Slot<Doc, Request, Result, Entry>): Promise<void> {
    while (slot.queue.length > 0) {
      const batch = slot.queue.splice(0, this.opts.maxBatch);
      try {
        const { results, flushed } = await this.commit(id, slot, batch.map((w) => w.request));
        // A failed flush: the commit is durable and its entries stay journaled; the next decision reloads and flushes them.
        flushed.catch(() => (slot.mustReload = true));
        batch.forEach((w, i) => w.settle(results[i]!, flushed));
      } catch (err) {
        slot.doc = undefined;
        for (const w of batch) w.reject(err);
      }
    }
    slot.running = false;
  }

  private async commit(id: string, slot: Slot<Doc, Request, Result, Entry>, batch: Request[]): Promise<{ results: Result[]; flushed: Promise<void> }> {
    for (let attempt = 1; ; attempt++) {
      const doc = slot.doc && !slot.mustReload ? slot.doc : await this.load(id, slot);
      const decision = await this.spec.decide(id, doc, batch, slot.loadedAt);
      const inc = Object.fromEntries(Object.entries(decision.inc).filter(([, n]) => n !== 0));
      // Nothing to write: the answer may still rest on entries in flight, so it waits for their flush too.
      if (decision.entries.length === 0 && Object.keys(inc).length === 0) return { results: decision.results, flushed: slot.flushing };
      const pending = this.spec.pack([...slot.carried, ...decision.entries]);
      const by = `${this.writer}.${++this.commits}`;
      if (await this.opts.update({ id, v: doc.v, by, update: { $inc: inc, $set: { v: doc.v + 1, pending } } })) {
        const next = { ...doc, v: doc.v + 1, pending, by } as unknown as Record<string, number>;
        for (const [k, n] of Object.entries(inc)) next[k] = next[k]! + n;
        slot.doc = next as unknown as Doc;
        this.stats.commits++;
        this.stats.requests += batch.length;
        // Remembered before the flush lands, so a decision or a caller asking meanwhile gets the truth.
        this.spec.committed?.(id, decision.entries);
        slot.carried.push(...decision.entries);
        slot.flushing = slot.flushing.catch(() => undefined).then(() => this.flushCarried(id, slot));
        return { results: decision.results, flushed: slot.flushing };
      }
      slot.doc = undefined;
      this.stats.misses++;
      if (attempt >= this.opts.attempts) throw new LifelineError('unavailable', `document ${id} is busy, retry`, { id });
      await sleep(Math.random() * Math.min(50, attempt * 2));
    }
  }

  private async flushCarried(id: string, slot: Slot<Doc, Request, Result, Entry>): Promise<void> {
    const entries = slot.carried.slice();
    if (entries.length === 0) return;
    await this.spec.flush(id, entries);
    slot.carried = slot.carried.filter((e) => !entries.includes(e));
  }

  /** Read the document and flush what its last commit journaled, so every write that commit implies is there. */
  private async load(id: string, slot: Slot<Doc, Request, Result, Entry>): Promise<Doc> {
    let doc = (await this.model.collection.findOne({ _id: id } as never)) as Doc | null;
    if (doc && doc.v === undefined && this.spec.adopt) {
      await this.spec.adopt(id, doc);
      doc = (await this.model.collection.findOne({ _id: id } as never)) as Doc | null;
    }
    if (!doc || doc.v === undefined) throw new LifelineError('not_found', `no document ${id}`, { id });
    await slot.flushing.catch(() => undefined);
    await this.spec.flush(id, this.spec.unpack(doc.pending));
    await this.spec.loaded?.(id);
    this.stats.loads++;
    // Whatever this process carried was in the journal it just flushed, or in one another process flushed first.
    slot.carried = [];
    slot.flushing = Promise.resolve();
    slot.mustReload = false;
    slot.doc = doc;
    slot.loadedAt = ++this.loads;
    return doc;
  }
}
