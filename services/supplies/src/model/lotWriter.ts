import type { Model } from 'mongoose';
import { changesNothing, decideStock, packHolds, unpackHolds, type Hold, type HoldMove, type StockRequest } from '../domain/lotStock';
import { Batched } from './batch';
import { findByIds, insertEach, insertIfAbsent } from './docs';
import { GuardedUpdates } from './guardedUpdates';
import { JournaledWriter, type JournalStats } from './journal';
import type { WriteLane } from './writeLane';
import { countersOf, holdDoc, holdId, toHold, type HoldDoc, type LotDoc } from './lots';

/** What a caller read of a holder's hold on a lot (null: none), and the writer's epoch when it started reading. */
export interface SeenHold {
  epoch: number;
  hold: Hold | null;
}

type LotRequest = StockRequest & { seen?: SeenHold | undefined };

/** A take whose lot commit is durable: the units the holder holds there, and the hold insert that is still landing. */
export interface CommittedTake {
  units: number;
  written: Promise<void>;
}

/** Holds remembered per lot before a reload is forced (each is a few dozen bytes; a reload costs two reads). */
const RECENT_LIMIT = 20_000;
/**
 * A lot with at most this many holds has them all read when it is loaded (by the `{lotId}` index; ~0.03 ms of store
 * CPU a hold), so no request for it needs a hold lookup; beyond it, holders are looked up as requests come.
 */
const FULL_READ_LIMIT = 5_000;

/**
 * Every change to a lot's stock goes through here: the lot's counters change in one journaled, group-committed
 * update (`JournaledWriter`), and the holds that change creates or moves are the journal, flushed to `holds` right
 * after (and by whoever loads the lot next, if this process dies first).
 *
 * Exactly once per hold: a decision knows each holder's hold from (1) the holds read when the lot was loaded (all of
 * them, for a lot of at most FULL_READ_LIMIT holds: then a holder not known has none) and those this process committed
 * since, (2) what the caller read, if the caller started reading after that load (every commit up to the loaded
 * version was flushed by then; a later commit by another process makes the update miss and the batch is decided again
 * after a reload, which reads the holds again), or else (3) a fresh read of those holds. A take for a holder that
 * already holds, or a move of a hold already moved, changes nothing.
 */
export class LotWriter {
  private readonly journal: JournaledWriter<LotDoc, LotRequest, number | boolean, Hold>;
  /** Per lot, the holds read when this process last loaded it and those it committed since. */
  private readonly recent = new Map<string, Map<string, Hold>>();
  /** Lots whose every hold is in `recent` (read in full at the load, every commit since is this process's). */
  private readonly complete = new Set<string>();
  /**
   * New holds of every lot committing at the same time go out in one `insertMany`: the store writes one transaction
   * at a time per database, so a write per lot commit would double the writes the commits themselves cost.
   */
  private readonly inserts: Batched<HoldDoc, 'inserted' | 'duplicate'>;
  private readonly write: <T>(op: () => Promise<T>) => Promise<T>;

  constructor(
    lots: Model<LotDoc>,
    private readonly holds: Model<HoldDoc>,
    opts: { attempts: number; maxBatch?: number; lane: WriteLane },
  ) {
    const write = <T>(op: () => Promise<T>) => opts.lane.run(op);
    this.write = write;
    this.inserts = new Batched((docs: HoldDoc[]) => insertEach(holds, docs), { max: 900, parallel: 2, through: write });
    const commits = new GuardedUpdates(lots, write);
    this.journal = new JournaledWriter(
      lots,
      {
        decide: (lotId, lot, batch, loadedAt) => this.decide(lotId, lot, batch, loadedAt),
        pack: packHolds,
        unpack: unpackHolds,
        flush: (lotId, written) => this.flush(lotId, written),
        committed: (lotId, written) => this.remember(lotId, written),
        loaded: (lotId) => this.readAllHolds(lotId),
        adopt: (lotId, legacy) => adoptLegacyLot(lots, holds, lotId, legacy),
      },
      { attempts: opts.attempts, maxBatch: opts.maxBatch ?? 500, update: (op) => commits.apply(op) },
    );
  }

  get stats(): JournalStats {
    return this.journal.stats;
  }

  /** Read before looking holds up, and pass it with what was read (`SeenHold`). */
  epoch(): number {
    return this.journal.epoch();
  }

  /** Promise up to `wanted` units of the lot to a holder; returns what the holder holds there now (an earlier hold counts). */
  take(lotId: string, holderId: string, wanted: number, seen?: SeenHold): Promise<number> {
    return this.journal.submit(lotId, { kind: 'take', holderId, wanted, seen }) as Promise<number>;
  }

  /**
   * `take`, settled as soon as the lot's commit is durable (the hold is in the lot's journal, so no crash can lose it),
   * with the hold's insert still landing: the caller writes its own document meanwhile and answers once both landed.
   */
  async takeCommitted(lotId: string, holderId: string, wanted: number, seen?: SeenHold): Promise<CommittedTake> {
    const { result, flushed } = await this.journal.submitCommitted(lotId, { kind: 'take', holderId, wanted, seen });
    return { units: result as number, written: flushed };
  }

  /**
   * The holder's hold on the lot is in `holds` as it stands (or it has none): what a reply that names the hold waits
   * for when it did not write it just now (a repeat, a retry after a failed insert, another process's reservation).
   */
  async confirm(lotId: string, holderId: string): Promise<void> {
    await this.take(lotId, holderId, 0);
  }

  /** Move a holder's hold (issue, return, release); false when there was none in the move's starting state. */
  move(lotId: string, holderId: string, move: HoldMove, seen?: SeenHold): Promise<boolean> {
    return this.journal.submit(lotId, { kind: 'move', holderId, move, seen }) as Promise<boolean>;
  }

  /** Whether this process knows every hold on the lot: a holder's hold there needs no lookup (`heldBy` settles it). */
  knowsEveryHold(lotId: string): boolean {
    return this.complete.has(lotId);
  }

  /**
   * Whether a take on the lot would surely get nothing for a holder not holding it: this process knows every hold on
   * it, and the lot as last loaded or committed here has nothing available with nothing queued or committing. Such a
   * take would be decided on that same document and write nothing, so a caller may skip it (a line moving past
   * emptied lots then waits for no commit round on them).
   */
  surelyEmpty(lotId: string): boolean {
    return this.complete.has(lotId) && (this.journal.settled(lotId)?.available ?? 1) <= 0;
  }

  /** The units a holder holds on a lot: from what this process knows when that settles it, else asked of the lot's writer. */
  async heldBy(lotId: string, holderId: string, seen: SeenHold): Promise<number> {
    const known = this.recent.get(lotId)?.get(holderId) ?? (this.complete.has(lotId) ? null : this.journal.current(lotId, seen.epoch) ? seen.hold : undefined);
    if (known !== undefined) return known?.quantity ?? 0;
    return this.take(lotId, holderId, 0, seen);
  }

  private async decide(lotId: string, lot: LotDoc, batch: readonly LotRequest[], loadedAt: number) {
    const recent = this.recent.get(lotId);
    const known = new Map<string, Hold | null>();
    const unknown = new Set<string>();
    for (const r of batch) {
      if (recent?.has(r.holderId) || known.has(r.holderId)) continue;
      if (this.complete.has(lotId)) known.set(r.holderId, null);
      else if (r.seen && r.seen.epoch >= loadedAt) known.set(r.holderId, r.seen.hold);
      else unknown.add(r.holderId);
    }
    for (const h of unknown) known.delete(h);
    if (unknown.size > 0) {
      const fresh = await findByIds(this.holds, [...unknown].map((h) => holdId(h, lotId)));
      for (const h of unknown) known.set(h, null);
      for (const d of fresh) known.set(d.reservationId, toHold(d));
    }
    const decision = decideStock(countersOf(lot), batch, (h) => recent?.get(h) ?? known.get(h) ?? undefined);
    return { inc: { ...decision.inc }, entries: changesNothing(decision) ? [] : decision.writes, results: decision.results };
  }

  /**
   * Every written hold is inserted as it now stands (a duplicate is one already there), then those that moved are moved
   * forward with `$max`: so a hold created and moved in one batch exists, and a late or repeated flush is harmless.
   */
  private async flush(lotId: string, written: readonly Hold[]): Promise<void> {
    await Promise.all(written.map((h) => this.inserts.call(holdDoc(lotId, h))));
    const moved = written.filter((h) => h.state !== 'held');
    if (moved.length === 0) return;
    await this.write(() =>
      this.holds.collection.bulkWrite(
        moved.map((h) => ({ updateOne: { filter: { _id: holdId(h.holderId, lotId) } as never, update: { $max: { state: h.state } } } })),
        { ordered: false },
      ),
    );
  }

  /** After a load (its journal flushed): every hold of the lot, when there are few enough. */
  private async readAllHolds(lotId: string): Promise<void> {
    this.recent.delete(lotId);
    this.complete.delete(lotId);
    const all = await this.holds.collection
      .find({ lotId } as never, { projection: { reservationId: 1, quantity: 1, state: 1 }, limit: FULL_READ_LIMIT + 1 })
      .toArray();
    if (all.length > FULL_READ_LIMIT) return;
    this.recent.set(lotId, new Map(all.map((d) => [d.reservationId as string, toHold(d as unknown as HoldDoc)])));
    this.complete.add(lotId);
  }

  private remember(lotId: string, written: readonly Hold[]): void {
    const recent = this.recent.get(lotId) ?? new Map<string, Hold>();
    this.recent.set(lotId, recent);
    for (const h of written) recent.set(h.holderId, h);
    if (recent.size > RECENT_LIMIT) this.journal.forget(lotId);
  }
}

/**
 * A lot written before holds were documents (an array `holds`, a `revision`, no `v`): its holds become documents and
 * its counters are derived from them, once (the condition makes a second adopter a no-op).
 */
async function adoptLegacyLot(lots: Model<LotDoc>, holds: Model<HoldDoc>, lotId: string, legacy: object): Promise<void> {
  const old = (legacy as { holds?: { reservationId: string; quantity: number; state: Hold['state'] }[] }).holds ?? [];
  await insertIfAbsent(holds, old.map((h) => holdDoc(lotId, { holderId: h.reservationId, quantity: h.quantity, state: h.state })));
  const sum = (state: Hold['state']) => old.filter((h) => h.state === state).reduce((n, h) => n + h.quantity, 0);
  await lots.collection.updateOne({ _id: lotId, v: { $exists: false } } as never, { $set: { v: 0, held: sum('held'), issued: sum('issued') }, $unset: { holds: '', revision: '' } });
}
