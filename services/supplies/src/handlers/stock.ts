import { LifelineError, suppliesEvents, type suppliesContract } from '@lifeline/contracts';
import type { ServiceContext } from '@lifeline/platform';
import type { Model } from 'mongoose';
import type { z } from 'zod';
import { fefoOrder, isoDay, unusableLots, type UnusableLot } from '../domain/eligibility';
import type { HoldMove } from '../domain/lotStock';
import { COMMANDS, lineFrom, repeatedItems, shortfallsOf, type ReservationLine } from '../domain/reservation';
import { Batched } from '../model/batch';
import { retryWhenBusy } from '../model/busy';
import type { LotFacts } from '../model/directory';
import { findByIds, insertEach } from '../model/docs';
import { holdId, toHold, type LotDoc } from '../model/lots';
import type { SeenHold } from '../model/lotWriter';
import { Outbox } from '../model/outbox';
import { reservationIdFor, toReservation, type ReservationDoc } from '../model/reservations';
import type { Stores } from '../model/stores';

type Reservation = suppliesContract.Reservation;
type Reserve = z.infer<typeof suppliesContract.ReserveRequest>;
type Command = z.infer<typeof suppliesContract.ReservationCommand>;

/** Documents by `_id`, aligned with the ids asked (undefined where missing). */
async function aligned<T extends { _id: string }>(model: Model<T>, ids: string[]): Promise<(T | undefined)[]> {
  const found = new Map((await findByIds(model, ids)).map((d) => [d._id as string, d]));
  return ids.map((id) => found.get(id));
}

/** Wait for every promise, then fail with the first failure: a retry must not start while a take is still queued. */
async function allSettled<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((p): p is PromiseRejectedResult => p.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((p) => (p as PromiseFulfilledResult<T>).value);
}

/**
 * Reservations through their lifecycle. Stock moves only through the lot writer (`s.writer`); the reservation is
 * written once, when its stock is held. Reservations arriving together share their store round trips: one lookup
 * of which exist and, beside it, one of the holds they may already have; one insert, beside their holds' insert.
 * Their events go out through the outbox (`announcements`), off the answer path.
 * `onReserved` runs after a reservation is durable (shortfall proposals); it must be idempotent.
 */
export function reservationHandlers(ctx: ServiceContext, s: Stores, onReserved: (r: ReservationDoc) => Promise<void>) {
  const existing = new Batched((ids: string[]) => aligned(s.reservations, ids));
  const holdLookups = new Batched((ids: string[]) => aligned(s.holds, ids), { max: 900, parallel: 2 });
  const inserts = new Batched((docs: ReservationDoc[]) => insertEach(s.reservations, docs), { max: 500, parallel: 2, through: (op) => s.lane.run(op) });

  /** Publish what a reservation became; ids are per fact, so a retried command's publish is deduplicated. */
  const announce = async (r: Reservation): Promise<void> => {
    if (r.status === 'reserved') {
      await ctx.events.publish(suppliesEvents.reserved, `${r.reservationId}:reserved`, r, r.incidentId);
      if (r.shortfalls.length > 0) {
        await ctx.events.publish(suppliesEvents.shortfall, `${r.reservationId}:shortfall`, { incidentId: r.incidentId, communityId: r.communityId, shortfalls: r.shortfalls }, r.incidentId);
      }
    } else {
      await ctx.events.publish(suppliesEvents[r.status], `${r.reservationId}:${r.status}`, r, r.incidentId);
    }
  };

  /**
   * A new reservation's reserved (and shortfall) events: marked durable beside its insert, published in batches after
   * the answer, replayed after a crash (`src/model/outbox.ts`). The event says what was reserved, whatever the
   * reservation's status has become since.
   */
  const announcements = new Outbox<ReservationDoc>(
    s.outbox,
    { publish: (doc) => announce({ ...toReservation(doc), status: 'reserved' }), load: (ids) => findByIds(s.reservations, ids) },
    { write: (op) => s.lane.run(op), onError: (err, what) => ctx.log.warn({ err, what }, 'reservation events not out yet; retrying') },
  );

  /** Candidate lots per requested item over the community's depot chain (from the in-memory directory). */
  async function candidatesFor(communityId: string, requested: Reserve['lines']) {
    const rank = await s.chainOf(communityId);
    const perItem = await Promise.all(requested.map(({ itemCode }) => s.directory.lotsOf(itemCode, rank.keys())));
    return { rank, perItem };
  }

  /**
   * The units an interrupted earlier attempt of this reservation already holds, per candidate lot: from the lot's
   * writer where it knows every hold on the lot (no read), else one lookup of the hold documents, confirmed by the
   * writer wherever the lookup may predate the lot's last journal.
   */
  async function heldEarlier(reservationId: string, lotIds: string[]): Promise<Map<string, { units: number; seen: SeenHold }>> {
    const epoch = s.writer.epoch();
    const docs = await Promise.all(lotIds.map((lotId) => (s.writer.knowsEveryHold(lotId) ? undefined : holdLookups.call(holdId(reservationId, lotId)))));
    const seen = docs.map((d): SeenHold => ({ epoch, hold: d ? toHold(d) : null }));
    const units = await Promise.all(lotIds.map((lotId, i) => s.writer.heldBy(lotId, reservationId, seen[i]!)));
    return new Map(lotIds.map((lotId, i) => [lotId, { units: units[i]!, seen: seen[i]! }]));
  }

  /**
   * One line, first-expiry-first-out over the community's depot chain: what earlier attempts hold counts first, then
   * each lot in order is asked for what is still missing. A drill plans against the lots' available stock, holding none.
   */
  async function takeLine(r: ReservationDoc, line: Reserve['lines'][number], facts: LotFacts[], rank: Map<string, number>, earlier: Map<string, { units: number; seen: SeenHold }>, written: Promise<void>[], drillStock?: Map<string, LotDoc>): Promise<ReservationLine> {
    const taken = facts.flatMap((l) => ((earlier.get(l.id)?.units ?? 0) > 0 ? [{ lotId: l.id, quantity: earlier.get(l.id)!.units }] : []));
    // An earlier attempt's hold may be known here before its insert landed (a retry after a failed write).
    if (!drillStock) for (const t of taken) written.push(s.writer.confirm(t.lotId, r._id));
    let remaining = line.quantity - taken.reduce((n, t) => n + t.quantity, 0);
    const take = async (lotId: string) => {
      const committed = await s.writer.takeCommitted(lotId, r._id, remaining, earlier.get(lotId)?.seen);
      written.push(committed.written);
      return committed.units;
    };
    for (const lot of fefoOrder(facts.map((l) => ({ ...l, available: drillStock?.get(l.id)?.available ?? 0 })), rank, r.asOf)) {
      if (remaining <= 0) break;
      if (taken.some((t) => t.lotId === lot.id)) continue;
      // The holder holds nothing here (`earlier`), so an emptied lot would answer 0: its round is skipped.
      if (!drillStock && s.writer.surelyEmpty(lot.id)) continue;
      const got = drillStock ? Math.min(remaining, lot.available) : await take(lot.id);
      if (got > 0) taken.push({ lotId: lot.id, quantity: got });
      remaining -= got;
    }
    return lineFrom(line.itemCode, line.quantity, taken);
  }

  /** Expired, damaged and condemned lots found, reported with what they hold (read only for those, which are few). */
  async function unusableAmong(facts: LotFacts[], asOf: string): Promise<UnusableLot[]> {
    const unusable = unusableLots(facts.map((l) => ({ ...l, available: 0, quantity: 0 })), asOf);
    if (unusable.length === 0) return [];
    const docs = new Map((await findByIds(s.lots, unusable.map((u) => u.lotId))).map((l) => [l._id, l.quantity]));
    return unusable.map((u) => ({ ...u, quantity: docs.get(u.lotId) ?? u.quantity }));
  }

  async function reserveOnce(req: Reserve): Promise<Reservation> {
    const repeated = repeatedItems(req.lines);
    if (repeated.length) throw new LifelineError('invalid_request', 'each item may appear on one line only', { repeated });
    const unknown = await s.unknownItems(req.lines.map((l) => l.itemCode));
    if (unknown.length) throw new LifelineError('invalid_request', 'unknown item codes', { unknown });
    const reservationId = reservationIdFor(req.idempotencyKey);
    const { rank, perItem } = await candidatesFor(req.communityId, req.lines);
    const lotIds = perItem.flat().map((l) => l.id);
    // Whether it exists and what an interrupted attempt holds are asked side by side: one round trip's wait, not two.
    const [found, earlier] = await Promise.all([existing.call(reservationId), req.drill ? new Map<string, { units: number; seen: SeenHold }>() : heldEarlier(reservationId, lotIds)]);
    if (found) return answerStored(found, req, earlierLines(earlier));

    const r: ReservationDoc = {
      _id: reservationId,
      idempotencyKey: req.idempotencyKey,
      incidentId: req.incidentId,
      communityId: req.communityId,
      drill: req.drill,
      asOf: isoDay(new Date()),
      status: 'reserved',
      lines: [],
      shortfalls: [],
      unusable: [],
      commands: [],
      createdAt: new Date(),
    };
    const drillStock = r.drill ? new Map((await findByIds(s.lots, lotIds)).map((l) => [l._id, l])) : undefined;
    const written: Promise<void>[] = [];
    const lines = await allSettled(req.lines.map((line, i) => takeLine(r, line, perItem[i]!, rank, earlier, written, drillStock)));
    const unusable = (await Promise.all(perItem.map((facts) => unusableAmong(facts, r.asOf)))).flat();
    const doc: ReservationDoc = { ...r, lines, shortfalls: shortfallsOf(lines), unusable };
    // Every take is durable in its lot's journal, so the reservation and its outbox mark are inserted while the holds
    // land; it is answered once all have (a crash before the holds land leaves them journaled: the lot's next load
    // writes them; a crash before the answer leaves the caller to retry, and a repeat publishes what it finds).
    const inserted = inserts.call(doc);
    const marked = announcements.mark(doc._id);
    try {
      await allSettled<unknown>([inserted, marked, ...written]);
    } catch (err) {
      // A failed attempt (retried whole when the store was busy) leaves its mark to be settled by what was stored.
      marked.then((mark) => announcements.recheck(mark, doc._id), () => undefined);
      throw err;
    }
    if ((await inserted) === 'inserted') {
      announcements.add(doc, await marked);
      await onReserved(doc);
      return sameReservation(toReservation(doc), req);
    }
    // A duplicate is the same reservation written by another attempt first: its document is the answer, its events
    // are published by `answerStored`, and this attempt's mark lets go of it.
    try {
      return await answerStored((await s.reservations.findById(reservationId).lean()) ?? doc, req, lines);
    } finally {
      announcements.recheck(await marked, doc._id);
    }
  }

  /**
   * The reply for a reservation found stored (a repeat, or one another attempt wrote), as before this process knew of
   * it: its holds may still be landing (written beside it by an attempt that failed or died), so a reserved one has
   * them confirmed, its cover proposed and its events published — all idempotent, and the attempt that wrote it may
   * have died before its mark landed. The outbox goes first, so a repeat never overtakes the first publish.
   *
   * `tried` is what this attempt holds (found or taken). A hold there that the stored reservation does not name is
   * stray: taken by an attempt that raced another instance's attempt of the same key and lost the insert (stock it
   * took after the other ran short), or left by such an attempt that died before releasing it. It is released first,
   * so a key never holds stock its reservation does not name.
   */
  async function answerStored(doc: ReservationDoc, req: Reserve, tried: ReservationLine[]): Promise<Reservation> {
    const named = new Set(doc.lines.flatMap((l) => l.lots.map((x) => x.lotId)));
    const stray = tried.flatMap((l) => l.lots).filter((x) => x.quantity > 0 && !named.has(x.lotId));
    await allSettled(stray.map((x) => s.writer.move(x.lotId, doc._id, 'release')));
    const r = sameReservation(toReservation(doc), req);
    if (doc.status === 'reserved') {
      if (!doc.drill) await allSettled(doc.lines.flatMap((l) => l.lots.map((x) => s.writer.confirm(x.lotId, doc._id))));
      await onReserved(doc);
      await announcements.settle(doc._id);
      await announce(r);
    }
    return r;
  }

  /**
   * Repeats of one key that reach this process while the first is still running wait for its answer instead of
   * taking stock side by side; the store's unique keys cover repeats that reach another instance or come after a crash.
   */
  const inFlight = new Map<string, Promise<Reservation>>();
  function reserve(req: Reserve): Promise<Reservation> {
    const running = inFlight.get(req.idempotencyKey);
    if (running) return running.then((r) => sameReservation(r, req));
    const attempt = retryWhenBusy(() => reserveOnce(req)).finally(() => inFlight.delete(req.idempotencyKey));
    inFlight.set(req.idempotencyKey, attempt);
    return attempt;
  }

  /**
   * issue / return / release. One conditional update of the reservation claims the move out of a status and records
   * the command's key: exactly one command wins, a repeat of the winner (same key) finds its command and resumes, any
   * other gets `invalid_state`. Then the holds move through the lot writer, exactly once each: every recorded command
   * is applied again in order, and a hold already moved is left alone, so a resumed command also finishes an earlier
   * one that was cut short.
   */
  async function runCommand(verb: HoldMove, cmd: Command): Promise<Reservation> {
    const rule = COMMANDS[verb];
    const claimed = await s.lane.run(() =>
      s.reservations.collection.updateOne(
        { _id: cmd.reservationId, status: rule.from } as never,
        { $set: { status: rule.to }, $push: { commands: { verb, idempotencyKey: cmd.idempotencyKey } } } as never,
      ),
    );
    const r = await s.reservations.findById(cmd.reservationId).lean();
    if (!r) throw new LifelineError('not_found', `no reservation ${cmd.reservationId}`, { reservationId: cmd.reservationId });
    const mine = r.commands.find((c) => c.idempotencyKey === cmd.idempotencyKey);
    if (claimed.matchedCount === 0 && !mine) {
      const winner = r.commands.find((c) => COMMANDS[c.verb].from === rule.from);
      if (winner) throw new LifelineError('invalid_state', `reservation was already moved on from ${rule.from} by another command (${winner.verb})`, { reservationId: r._id, status: r.status });
      throw new LifelineError('invalid_state', `cannot ${verb} a ${r.status} reservation`, { reservationId: r._id, status: r.status, expected: rule.from });
    }
    if (mine && mine.verb !== verb) throw new LifelineError('conflict', `idempotency key was used for ${mine.verb}`, { reservationId: r._id });
    if (!r.drill) {
      const lots = r.lines.flatMap((l) => l.lots.map((x) => x.lotId));
      await allSettled(lots.flatMap((lotId) => r.commands.map((c) => s.writer.move(lotId, r._id, c.verb))));
    }
    // The reserved event goes first in the stream (it may still be in this process's outbox).
    await announcements.settle(r._id);
    await announce({ ...toReservation(r), status: rule.to });
    return toReservation(r);
  }

  return {
    reserve,
    announcements,
    issue: (cmd: Command) => retryWhenBusy(() => runCommand('issue', cmd)),
    return: (cmd: Command) => retryWhenBusy(() => runCommand('return', cmd)),
    release: (cmd: Command) => retryWhenBusy(() => runCommand('release', cmd)),
  };
}

/** What an earlier attempt holds, as lines (one per lot; only the lots matter to `answerStored`). */
function earlierLines(earlier: Map<string, { units: number }>): ReservationLine[] {
  return [...earlier].filter(([, e]) => e.units > 0).map(([lotId, e]) => ({ itemCode: '', requested: e.units, reserved: e.units, lots: [{ lotId, quantity: e.units }] }));
}

/** A key names one reservation: a repeat must ask for the same incident and community. */
function sameReservation(r: Reservation, req: Reserve): Reservation {
  if (r.incidentId !== req.incidentId || r.communityId !== req.communityId) {
    throw new LifelineError('conflict', 'idempotency key already used for another reservation', { reservationId: r.reservationId });
  }
  return r;
}
