import { LifelineError, suppliesEvents, type suppliesContract } from '@lifeline/contracts';
import { isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { idFromKey } from '@lifeline/platform/ids';
import type { z } from 'zod';
import { canMove, DONATION_MOVES, nearness, proposeTransfers, rankEnterprises, TRANSFER_MOVES, type Missing, type Nearness, type StockOffer } from '../domain/cover';
import { isoDay } from '../domain/eligibility';
import { retryWhenBusy } from '../model/busy';
import { coverClaimModel, coverPlanModel, donationModel, enterpriseModel, toDonation, toTransfer, type CoverPlanDoc, type DonationDoc, type EnterpriseDoc, type TransferDoc } from '../model/cover';
import { Batched } from '../model/batch';
import { findByIds, insertEach, insertIfAbsent } from '../model/docs';
import { freshStock } from '../model/lots';
import type { ReservationDoc } from '../model/reservations';
import type { Stores } from '../model/stores';
import { transferModel } from '../model/cover';

type Enterprise = suppliesContract.Enterprise;
type UpdateTransfer = z.infer<typeof suppliesContract.UpdateTransferRequest>;
type UpdateDonation = z.infer<typeof suppliesContract.UpdateDonationRequest>;

const idFor = (prefix: string, ...parts: string[]) => idFromKey(prefix, parts, 24);

/**
 * Shortfall cover: transfers from the nearest depots outside the community's chain, then donation requests to
 * registered enterprises for what no depot has. Proposals are written once per reservation (a unique plan document),
 * so a retried reservation proposes exactly the same. Status changes are claimed per status by unique insert.
 */
export function coverHandlers(ctx: ServiceContext, s: Stores) {
  const enterprises = enterpriseModel(ctx.db);
  const transfers = transferModel(ctx.db);
  const donations = donationModel(ctx.db);
  const plans = coverPlanModel(ctx.db);
  const claims = coverClaimModel(ctx.db);
  // Shortfalls come in bursts (the last reservations of a busy item): their plans share one insert, and the
  // registered enterprises and item categories they rank by are read once a minute, not once per plan.
  const planInserts = new Batched((docs: CoverPlanDoc[]) => insertEach(plans, docs), { max: 500, parallel: 2, through: (op) => s.lane.run(op) });
  let registry: { at: number; enterprises: Promise<EnterpriseDoc[]> } | undefined;
  const registered = () => {
    if (!registry || Date.now() - registry.at > 60_000) registry = { at: Date.now(), enterprises: enterprises.find({}).lean<EnterpriseDoc[]>().exec() };
    return registry.enterprises;
  };
  const categories = new Map<string, Promise<string>>();
  const categoryOf = (itemCode: string) => {
    let known = categories.get(itemCode);
    if (!known) categories.set(itemCode, (known = s.items.findById(itemCode).lean().then((i) => i?.category ?? '')));
    known.catch(() => categories.delete(itemCode));
    return known;
  };

  async function seedEnterprises(list: Enterprise[]) {
    if (list.length === 0) return {};
    await enterprises.bulkWrite(list.map(({ id, ...e }) => ({ updateOne: { filter: { _id: id }, update: { $set: e }, upsert: true } })), { ordered: false });
    registry = undefined;
    return { enterprises: list.length };
  }

  /** Usable stock of an item outside `excluded`, nearest depots first, read until `wanted` units are in view. */
  async function offersFor(itemCode: string, wanted: number, near: Map<string, Nearness>, excluded: Set<string>, today: string): Promise<StockOffer[]> {
    const lots = (await s.directory.allOf(itemCode)).filter((l) => !excluded.has(l.depotId) && l.condition === 'good' && (l.expiresOn === undefined || l.expiresOn >= today));
    const byDepot = [...new Set(lots.map((l) => l.depotId))].sort((a, b) => (near.get(a)?.km ?? Infinity) - (near.get(b)?.km ?? Infinity) || (near.get(a)?.hops ?? Infinity) - (near.get(b)?.hops ?? Infinity));
    const offers: StockOffer[] = [];
    let inView = 0;
    for (const depotId of byDepot) {
      if (inView >= wanted) break;
      for (const lot of await findByIds(s.lots, lots.filter((l) => l.depotId === depotId).map((l) => l.id))) {
        offers.push({ id: lot._id, depotId, itemCode, expiresOn: lot.expiresOn, condition: lot.condition, available: lot.available });
        inView += lot.available;
      }
    }
    return offers;
  }

  async function planFor(r: ReservationDoc): Promise<CoverPlanDoc> {
    const depots = await s.allDepots();
    const rank = await s.chainOf(r.communityId);
    const home = [...rank].filter(([, d]) => d === 0).map(([id]) => depots.get(id)).find((d) => d !== undefined);
    const districtId = [...rank.keys()].map((id) => depots.get(id)).find((d) => d?.level === 'district')?.areaId;
    const near = new Map([...depots.values()].map((d) => [d._id, nearness(home ? { id: home._id, parentId: home.parentId, location: home.location } : undefined, { id: d._id, parentId: d.parentId, location: d.location }, new Map([...depots].map(([id, x]) => [id, { id, parentId: x.parentId, location: x.location }])))]));
    const excluded = new Set(rank.keys());
    const offers = (await Promise.all(r.shortfalls.map((f) => offersFor(f.itemCode, f.missing, near, excluded, r.asOf)))).flat();
    const proposal = proposeTransfers(r.shortfalls, offers, near, excluded, r.asOf);
    const base = { incidentId: r.incidentId, communityId: r.communityId, reservationId: r._id };
    const plannedTransfers: TransferDoc[] = proposal.transfers.map((t) => ({
      _id: idFor('tr', r._id, t.fromLotId),
      ...base,
      itemCode: t.itemCode,
      quantity: t.quantity,
      fromDepotId: t.fromDepotId,
      fromLotId: t.fromLotId,
      ...(home ? { toDepotId: home._id } : {}),
      ...(t.distanceKm !== undefined ? { distanceKm: Math.round(t.distanceKm * 10) / 10 } : {}),
      status: 'proposed',
    }));
    const plannedDonations = await donationsFor(proposal.remaining, base, districtId, home?.location, new Set());
    return { _id: `cover:${r._id}`, reservationId: r._id, transfers: plannedTransfers, donations: plannedDonations, at: new Date() };
  }

  async function donationsFor(missing: Missing[], base: Pick<DonationDoc, 'incidentId' | 'communityId' | 'reservationId'>, districtId: string | undefined, origin: suppliesContract.GeoPoint | undefined, asked: Set<string>): Promise<DonationDoc[]> {
    if (missing.length === 0) return [];
    const candidates = await registered();
    const out: DonationDoc[] = [];
    for (const m of missing) {
      const best = rankEnterprises(await categoryOf(m.itemCode), districtId, origin, candidates.map((e) => ({ ...e, id: e._id }))).find((e) => !asked.has(`${m.itemCode}/${e.id}`));
      if (!best) continue;
      out.push({ _id: idFor('dn', base.reservationId, m.itemCode, best.id), ...base, enterpriseId: best.id, itemCode: m.itemCode, quantity: m.missing, status: 'requested', ...(districtId ? { districtId } : {}) });
    }
    return out;
  }

  /** Called once a reservation is durable: propose cover for its shortfalls (idempotent, drills propose nothing). */
  async function proposeCover(r: ReservationDoc): Promise<void> {
    if (r.drill || r.shortfalls.length === 0) return;
    // Written once: a retry computes a plan too, but the first one stays (a duplicate insert reads the first back).
    const mine = await planFor(r);
    const plan = (await planInserts.call(mine)) === 'inserted' ? mine : await plans.findById(mine._id).lean();
    if (!plan) return;
    await insertIfAbsent(transfers, plan.transfers);
    await insertIfAbsent(donations, plan.donations);
    for (const t of plan.transfers) await ctx.events.publish(suppliesEvents.transferProposed, `${t._id}:proposed`, toTransfer(t), r.incidentId);
    for (const d of plan.donations) await ctx.events.publish(suppliesEvents.donationRequested, `${d._id}:requested`, toDonation(d), r.incidentId);
  }

  /** Claim the move out of `from` for this key; returns false when the same key already made it. */
  async function claimMove(id: string, from: string, to: string, key: string): Promise<void> {
    const claim = { _id: `${id}:${from}`, idempotencyKey: key, to, at: new Date() };
    try {
      await claims.collection.insertOne(claim as never);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const held = await claims.findById(claim._id).lean();
      if (held?.idempotencyKey !== key) throw new LifelineError('invalid_state', `already moved on from ${from} (to ${held?.to ?? 'unknown'}) by another update`, { id, from });
      if (held.to !== to) throw new LifelineError('conflict', `idempotency key was used to move to ${held.to}`, { id });
    }
  }

  /** A repeat of an update that already finished: the key's claim exists and the document moved on. */
  async function finishedBy(id: string, key: string, from: readonly string[]): Promise<string | undefined> {
    for (const f of from) {
      const held = await claims.findById(`${id}:${f}`).lean();
      if (held?.idempotencyKey === key) return held.to;
    }
    return undefined;
  }

  async function updateTransfer(req: UpdateTransfer) {
    const t = await transfers.findById(req.transferId).lean();
    if (!t) throw new LifelineError('not_found', `no transfer ${req.transferId}`, { transferId: req.transferId });
    const repeatOf = await finishedBy(t._id, req.idempotencyKey, TRANSFER_MOVES[req.status]);
    if (repeatOf !== undefined && repeatOf !== req.status) throw new LifelineError('conflict', `idempotency key was used to move to ${repeatOf}`, { transferId: t._id });
    if (t.status !== req.status || repeatOf === undefined) {
      if (t.status !== req.status && !canMove(TRANSFER_MOVES, t.status, req.status)) {
        throw new LifelineError('invalid_state', `cannot move a ${t.status} transfer to ${req.status}`, { transferId: t._id, status: t.status });
      }
      if (t.status !== req.status) await claimMove(t._id, t.status, req.status, req.idempotencyKey);
    }
    let quantity = t.quantity;
    if (req.status === 'approved') {
      quantity = await s.writer.take(t.fromLotId, t._id, t.quantity);
      if (quantity <= 0) throw new LifelineError('insufficient_stock', `lot ${t.fromLotId} has no stock left to transfer`, { transferId: t._id, lotId: t.fromLotId });
    }
    if (req.status === 'dispatched') await s.writer.move(t.fromLotId, t._id, 'issue');
    if (req.status === 'cancelled') await s.writer.move(t.fromLotId, t._id, 'release');
    if (req.status === 'received') {
      if (!t.toDepotId) throw new LifelineError('invalid_state', 'the community has no stockpile to receive the transfer', { transferId: t._id });
      const source = (await s.lots.findById(t.fromLotId).lean())!;
      await landLot({ id: t._id, depotId: t.toDepotId, itemCode: t.itemCode, quantity, source: source.source, expiresOn: source.expiresOn });
    }
    const next = { ...t, status: req.status, quantity };
    await transfers.updateOne({ _id: t._id }, { $set: { status: req.status, quantity } });
    await ctx.events.publish(suppliesEvents.transferUpdated, `${t._id}:${req.status}`, toTransfer(next), t.incidentId);
    return toTransfer(next);
  }

  /** Stock arriving at a depot becomes a new lot (its id is the transfer's or donation's, so a repeat adds nothing). */
  async function landLot(lot: { id: string; depotId: string; itemCode: string; quantity: number; source: string; expiresOn?: string | undefined }) {
    const facts = { depotId: lot.depotId, itemCode: lot.itemCode, source: lot.source, condition: 'good' as const, ...(lot.expiresOn ? { expiresOn: lot.expiresOn } : {}) };
    await insertIfAbsent(s.lots, [{ _id: lot.id, ...facts, ...freshStock(lot.quantity) }]);
    s.directory.add([{ id: lot.id, ...facts }]);
  }

  async function updateDonation(req: UpdateDonation) {
    const d = await donations.findById(req.donationId).lean();
    if (!d) throw new LifelineError('not_found', `no donation request ${req.donationId}`, { donationId: req.donationId });
    if (req.expiresOn !== undefined && req.expiresOn < isoDay(new Date())) throw new LifelineError('invalid_request', 'donated stock is already expired', { expiresOn: req.expiresOn });
    const repeatOf = await finishedBy(d._id, req.idempotencyKey, DONATION_MOVES[req.status]);
    if (repeatOf !== undefined && repeatOf !== req.status) throw new LifelineError('conflict', `idempotency key was used to move to ${repeatOf}`, { donationId: d._id });
    if (d.status !== req.status || repeatOf === undefined) {
      if (d.status !== req.status && !canMove(DONATION_MOVES, d.status, req.status)) {
        throw new LifelineError('invalid_state', `cannot move a ${d.status} donation request to ${req.status}`, { donationId: d._id, status: d.status });
      }
      if (d.status !== req.status) await claimMove(d._id, d.status, req.status, req.idempotencyKey);
    }
    const pledged = req.status === 'pledged' || req.status === 'received' ? (req.quantity ?? d.pledged ?? d.quantity) : d.pledged;
    let lotId: string | undefined;
    if (req.status === 'received') {
      const home = [...(await s.chainOf(d.communityId))].find(([, n]) => n === 0)?.[0];
      if (!home) throw new LifelineError('invalid_state', 'the community has no stockpile to receive the donation', { donationId: d._id });
      lotId = d._id;
      await landLot({ id: lotId, depotId: home, itemCode: d.itemCode, quantity: pledged ?? d.quantity, source: 'enterprise-donation', expiresOn: req.expiresOn });
    }
    const next: DonationDoc = { ...d, status: req.status, ...(pledged !== undefined ? { pledged } : {}), ...(lotId ? { lotId } : {}) };
    await donations.updateOne({ _id: d._id }, { $set: { status: req.status, ...(pledged !== undefined ? { pledged } : {}), ...(lotId ? { lotId } : {}) } });
    await ctx.events.publish(suppliesEvents.donationUpdated, `${d._id}:${req.status}`, toDonation(next), d.incidentId);
    if (req.status === 'declined') await askNext(d);
    return toDonation(next);
  }

  /** A declined request goes on to the next enterprise that supplies the item and was not asked yet. */
  async function askNext(d: DonationDoc) {
    const earlier = await donations.find({ reservationId: d.reservationId, itemCode: d.itemCode }).lean();
    const asked = new Set(earlier.map((e) => `${e.itemCode}/${e.enterpriseId}`));
    const next = await donationsFor([{ itemCode: d.itemCode, missing: d.quantity }], d, d.districtId, undefined, asked);
    await insertIfAbsent(donations, next);
    for (const n of next) await ctx.events.publish(suppliesEvents.donationRequested, `${n._id}:requested`, toDonation(n), d.incidentId);
  }

  /** The cover `proposeCover` would write for a community's shortfalls, computed the same way and written nowhere (a plan's dry run). */
  async function previewCover(communityId: string, shortfalls: Missing[], asOf: string): Promise<Pick<CoverPlanDoc, 'transfers' | 'donations'>> {
    if (shortfalls.length === 0) return { transfers: [], donations: [] };
    const { transfers: planned, donations: asked } = await planFor({ _id: `preview-${communityId}`, incidentId: 'preview', communityId, shortfalls, asOf } as ReservationDoc);
    return { transfers: planned, donations: asked };
  }

  return {
    seedEnterprises,
    proposeCover,
    previewCover,
    updateTransfer: (req: UpdateTransfer) => retryWhenBusy(() => updateTransfer(req)),
    updateDonation: (req: UpdateDonation) => retryWhenBusy(() => updateDonation(req)),
    ofIncident: async (incidentId: string) => ({
      transfers: (await transfers.find({ incidentId }).lean()).map(toTransfer),
      donationRequests: (await donations.find({ incidentId }).lean()).map(toDonation),
    }),
  };
}
