import { LifelineError, supplies, suppliesEvents, type suppliesContract } from '@lifeline/contracts';
import { isDuplicateKey, type Handlers, type ServiceContext } from '@lifeline/platform';
import type { z } from 'zod';
import { loadSuppliesConfig } from './config';
import { fefoOrder, isoDay } from './domain/eligibility';
import { holdOf, holdStock, moveHold, type HoldMove } from './domain/lotStock';
import { COMMANDS, lineFrom, repeatedItems, shortfallsOf, type ReservationLine } from './domain/reservation';
import { summarize } from './domain/summary';
import { LotLedger, lotModel, lotMovementModel, movementId } from './model/lots';
import { reservationIdFor, reservationModel, toReservation, type ReservationDoc } from './model/reservations';
import { depotChain, depotModel, itemModel } from './model/stock';

type Reservation = suppliesContract.Reservation;
type Reserve = z.infer<typeof suppliesContract.ReserveRequest>;
type Command = z.infer<typeof suppliesContract.ReservationCommand>;
type Seed = z.infer<typeof suppliesContract.SeedStockRequest>;

/** The supplies endpoints: stock seeding, reservations through their lifecycle, incident figures. */
export async function createHandlers(ctx: ServiceContext): Promise<Handlers<typeof supplies>> {
  const config = loadSuppliesConfig();
  const depots = depotModel(ctx.db);
  const items = itemModel(ctx.db);
  const lots = lotModel(ctx.db);
  const movements = lotMovementModel(ctx.db);
  const reservations = reservationModel(ctx.db);
  const ledger = new LotLedger(lots, movements, config.SUPPLIES_LOT_ATTEMPTS);

  const load = async (reservationId: string): Promise<ReservationDoc> => {
    const doc = await reservations.findById(reservationId).lean();
    if (!doc) throw new LifelineError('not_found', `no reservation ${reservationId}`, { reservationId });
    return doc;
  };

  /** Publish what a finished reservation became; ids are per fact, so a retried command's publish is deduplicated. */
  const announce = async (doc: ReservationDoc): Promise<void> => {
    const r = toReservation(doc);
    if (r.status === 'reserved') {
      await ctx.events.publish(suppliesEvents.reserved, `${r.reservationId}:reserved`, r, r.incidentId);
      if (r.shortfalls.length > 0) {
        await ctx.events.publish(suppliesEvents.shortfall, `${r.reservationId}:shortfall`, { incidentId: r.incidentId, communityId: r.communityId, shortfalls: r.shortfalls }, r.incidentId);
      }
    } else {
      await ctx.events.publish(suppliesEvents[r.status], `${r.reservationId}:${r.status}`, r, r.incidentId);
    }
  };

  /** Seed: upsert by id. A lot's stock is written only when the lot is new, so re-seeding keeps what was promised. */
  async function seed(req: Seed) {
    if (req.depots.length) {
      await depots.bulkWrite(req.depots.map(({ id, parentId, ...d }) => ({ updateOne: { filter: { _id: id }, update: parentId === undefined ? { $set: d, $unset: { parentId: 1 } } : { $set: { ...d, parentId } }, upsert: true } })), { ordered: false });
    }
    if (req.items.length) {
      await items.bulkWrite(req.items.map(({ code, ...i }) => ({ updateOne: { filter: { _id: code }, update: { $set: i }, upsert: true } })), { ordered: false });
    }
    if (req.lots.length) {
      // Stock only on first sight (insert-if-absent), so a re-seed never resets what was promised. Not an upsert
      // with $setOnInsert: FerretDB 1.24 silently drops an empty `holds: []` from $setOnInsert.
      const stock = (quantity: number) => ({ quantity, available: quantity, holds: [], revision: 0 });
      await insertIfAbsent(movements.collection, req.lots.map((l) => ({ _id: movementId(l.id, 0), lotId: l.id, kind: 'seed', at: new Date(), ...stock(l.quantity) })));
      await insertIfAbsent(lots.collection, req.lots.map(({ id, quantity, ...l }) => ({ _id: id, ...l, ...stock(quantity) })));
      await lots.bulkWrite(
        req.lots.map((l) => {
          const about = { depotId: l.depotId, itemCode: l.itemCode, source: l.source, condition: l.condition };
          return { updateOne: { filter: { _id: l.id }, update: l.expiresOn === undefined ? { $set: about, $unset: { expiresOn: 1 } } : { $set: { ...about, expiresOn: l.expiresOn } } } };
        }),
        { ordered: false },
      );
    }
    return { depots: req.depots.length, items: req.items.length, lots: req.lots.length };
  }

  /** Create the reservation (or find the one an earlier attempt created) before any stock moves. */
  async function openReservation(req: Reserve): Promise<ReservationDoc> {
    const existing = await reservations.findOne({ idempotencyKey: req.idempotencyKey }).lean();
    if (existing) return existing;
    const doc: ReservationDoc = {
      _id: reservationIdFor(req.idempotencyKey),
      idempotencyKey: req.idempotencyKey,
      incidentId: req.incidentId,
      communityId: req.communityId,
      drill: req.drill,
      asOf: isoDay(new Date()),
      requested: req.lines,
      status: 'pending',
      lines: [],
      shortfalls: [],
      touchedLots: [],
      transition: null,
      commands: [],
      createdAt: new Date(),
    };
    try {
      await reservations.collection.insertOne(doc as never);
      return doc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return (await reservations.findOne({ idempotencyKey: req.idempotencyKey }).lean()) ?? Promise.reject(err);
    }
  }

  /** Take stock for every line, first-expiry-first-out over the community's depot chain; counts holds from earlier attempts. */
  async function takeStock(r: ReservationDoc): Promise<ReservationLine[]> {
    const rank = await depotChain(depots, r.communityId);
    const earlier = await heldEarlier(r);
    const lines: ReservationLine[] = [];
    for (const { itemCode, quantity } of r.requested) {
      const taken = (earlier.get(itemCode) ?? []).slice();
      let remaining = quantity - taken.reduce((s, t) => s + t.quantity, 0);
      const candidates = await lots.find({ itemCode, depotId: { $in: [...rank.keys()] } }).lean();
      for (const lot of fefoOrder(candidates.map((l) => ({ id: l._id, depotId: l.depotId, expiresOn: l.expiresOn, condition: l.condition, available: l.available })), rank, r.asOf)) {
        if (remaining <= 0) break;
        if (taken.some((t) => t.lotId === lot.id)) continue;
        const got = r.drill ? Math.min(remaining, lot.available) : await holdLot(r._id, lot.id, remaining);
        if (got > 0) taken.push({ lotId: lot.id, quantity: got });
        remaining -= got;
      }
      lines.push(lineFrom(itemCode, quantity, taken));
    }
    return lines;
  }

  async function holdLot(reservationId: string, lotId: string, wanted: number): Promise<number> {
    await reservations.updateOne({ _id: reservationId }, { $addToSet: { touchedLots: lotId } });
    return ledger.change(lotId, 'hold', reservationId, (stock) => holdStock(stock, reservationId, wanted));
  }

  /** Holds an interrupted earlier attempt already took, by item. */
  async function heldEarlier(r: ReservationDoc): Promise<Map<string, { lotId: string; quantity: number }[]>> {
    const byItem = new Map<string, { lotId: string; quantity: number }[]>();
    if (r.touchedLots.length === 0) return byItem;
    for (const lot of await lots.find({ _id: { $in: r.touchedLots } }, { itemCode: 1 }).lean()) {
      const hold = holdOf(await ledger.latest(lot._id), r._id);
      if (hold) byItem.set(lot.itemCode, [...(byItem.get(lot.itemCode) ?? []), { lotId: lot._id, quantity: hold.quantity }]);
    }
    return byItem;
  }

  async function reserve(req: Reserve): Promise<Reservation> {
    const repeated = repeatedItems(req.lines);
    if (repeated.length) throw new LifelineError('invalid_request', 'each item may appear on one line only', { repeated });
    let r = await openReservation(req);
    if (r.incidentId !== req.incidentId || r.communityId !== req.communityId) {
      throw new LifelineError('conflict', 'idempotency key already used for another reservation', { reservationId: r._id });
    }
    if (r.status === 'pending') {
      const lines = await takeStock(r);
      await reservations.updateOne({ _id: r._id, status: 'pending' }, { $set: { status: 'reserved', lines, shortfalls: shortfallsOf(lines) } });
      r = await load(r._id);
    }
    if (r.status === 'reserved') await announce(r);
    return toReservation(r);
  }

  /** issue / return / release: mark the command on the reservation, move every hold, then record it as done. */
  async function runCommand(verb: HoldMove, cmd: Command, raced = false): Promise<Reservation> {
    const rule = COMMANDS[verb];
    let r = await load(cmd.reservationId);
    const done = r.commands.find((c) => c.idempotencyKey === cmd.idempotencyKey);
    if (done) {
      if (done.verb !== verb) throw new LifelineError('conflict', `idempotency key was used for ${done.verb}`, { reservationId: r._id });
      if (r.status === rule.to) await announce(r);
      return toReservation(r);
    }
    if (r.transition && r.transition.idempotencyKey !== cmd.idempotencyKey) {
      throw new LifelineError('invalid_state', `reservation is busy with ${r.transition.verb}`, { reservationId: r._id, status: r.status });
    }
    if (!r.transition) {
      if (r.status !== rule.from) throw new LifelineError('invalid_state', `cannot ${verb} a ${r.status} reservation`, { reservationId: r._id, status: r.status, expected: rule.from });
      const marked = await reservations.updateOne({ _id: r._id, status: rule.from, transition: null }, { $set: { transition: { verb, idempotencyKey: cmd.idempotencyKey } } });
      if (marked.matchedCount === 0) {
        if (raced) throw new LifelineError('invalid_state', 'reservation changed meanwhile', { reservationId: r._id });
        return runCommand(verb, cmd, true);
      }
    }
    if (!r.drill) {
      for (const { lotId } of r.lines.flatMap((l) => l.lots)) await ledger.change(lotId, verb, r._id, (stock) => moveHold(stock, r._id, verb));
    }
    await reservations.updateOne(
      { _id: r._id, 'transition.idempotencyKey': cmd.idempotencyKey },
      { $set: { status: rule.to, transition: null }, $push: { commands: { verb, idempotencyKey: cmd.idempotencyKey } } },
    );
    r = await load(r._id);
    if (r.status === rule.to) await announce(r);
    return toReservation(r);
  }

  return {
    seed,
    reserve,
    issue: (cmd) => runCommand('issue', cmd),
    return: (cmd) => runCommand('return', cmd),
    release: (cmd) => runCommand('release', cmd),
    summary: async ({ incidentId }) => {
      const docs = await reservations.find({ incidentId, status: { $ne: 'pending' } }).lean();
      return summarize(incidentId, docs.map(toReservation));
    },
  };
}

/** Insert documents whose `_id` is not taken yet; existing ones are left as they are. */
async function insertIfAbsent(collection: { insertMany(docs: never[], opts: { ordered: boolean }): Promise<unknown> }, docs: object[]): Promise<void> {
  await collection.insertMany(docs as never[], { ordered: false }).catch((err: unknown) => {
    const writeErrors = (err as { writeErrors?: { code?: number }[] | { code?: number } }).writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (list.length === 0 || list.some((e) => e.code !== 11000)) throw err;
  });
}
