import { incentivesEvents, LifelineError, type incentives, type incentivesContract, type RequestOf } from '@lifeline/contracts';
import { isDuplicateKey, type ServiceContext } from '@lifeline/platform';
import { idFromKey } from '@lifeline/platform/ids';
import { toLedgerEntry } from './awards';
import { causes } from './domain/ledger';
import { ledgerStore, type LedgerStore } from './model/ledger';
import { itemModel, redemptionModel, type RedemptionDoc } from './model/records';

type RestockRequest = RequestOf<typeof incentives.restock>;
type RedeemRequest = RequestOf<typeof incentives.redeem>;

/** A debit the chain refuses (balance or stock would go negative) arrives as `invalid_state`. */
const refusedDebit = (err: unknown) => err instanceof LifelineError && err.code === 'invalid_state';

/**
 * The catalogue and redemptions. Stock is a hash-chained ledger per item (`stock_movements`), exactly like
 * points, so both "never oversold" and "never overdrawn" rest on the same primitive: the unique
 * (account, seq) insert of the next entry, which refuses a negative running balance.
 */
export function createRedemptions(ctx: ServiceContext, points: LedgerStore) {
  const stock = ledgerStore(ctx.db, 'stock');
  const items = itemModel(ctx.db);
  const redemptions = redemptionModel(ctx.db);

  async function itemView(itemId: string): Promise<incentivesContract.CatalogueItem | null> {
    const item = await items.findById(itemId).lean();
    if (!item) return null;
    return { itemId, title: item.title, points: item.points, stock: (await stock.head(itemId)).balance };
  }

  async function restock(req: RestockRequest): Promise<incentivesContract.CatalogueItem> {
    await items.updateOne({ _id: req.itemId }, { $set: { title: req.title, points: req.points } }, { upsert: true });
    const cause = causes.restock(req.idempotencyKey);
    await stock.append(req.itemId, cause, { participantId: req.itemId, kind: 'award', points: req.add, cause, idempotencyKey: req.idempotencyKey });
    return (await itemView(req.itemId))!;
  }

  async function catalogue(): Promise<incentivesContract.Catalogue> {
    const all = await items.find({}).sort({ _id: 1 }).lean();
    return { items: await Promise.all(all.map(async (i) => ({ itemId: i._id, title: i.title, points: i.points, stock: (await stock.head(i._id)).balance }))) };
  }

  async function claim(req: RedeemRequest): Promise<RedemptionDoc> {
    const item = await items.findById(req.itemId).lean();
    if (!item) throw new LifelineError('not_found', `no catalogue item ${req.itemId}`, { itemId: req.itemId });
    const doc: RedemptionDoc = {
      _id: idFromKey('rdm', req.idempotencyKey, 24),
      idempotencyKey: req.idempotencyKey,
      participantId: req.participantId,
      itemId: req.itemId,
      quantity: req.quantity,
      points: item.points * req.quantity,
      status: 'pending',
      createdAt: new Date(),
    };
    try {
      await redemptions.create(doc);
      return doc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const first = (await redemptions.findById(doc._id).lean())!;
    if (first.participantId !== req.participantId || first.itemId !== req.itemId || first.quantity !== req.quantity) {
      throw new LifelineError('conflict', 'idempotencyKey was already used for another redemption', { idempotencyKey: req.idempotencyKey, redemptionId: first._id });
    }
    return first;
  }

  async function refuse(r: RedemptionDoc, err: LifelineError): Promise<never> {
    await redemptions.updateOne({ _id: r._id }, { $set: { status: 'refused', refusal: { code: err.code, message: err.message } } });
    throw err;
  }

  /**
   * Take the stock, then debit the points; if the balance cannot cover it, put the stock back (a reversing
   * movement). Every step is keyed by the redemption, so a retry after a crash resumes where it stopped.
   */
  async function redeem(req: RedeemRequest): Promise<incentivesContract.Redemption> {
    const r = await claim(req);
    if (r.status === 'refused' && r.refusal) throw new LifelineError(r.refusal.code as LifelineError['code'], r.refusal.message, { redemptionId: r._id });
    const take = causes.redeem(r._id);
    try {
      await stock.append(r.itemId, take, { participantId: r.itemId, kind: 'redeem', points: -r.quantity, cause: take, idempotencyKey: `${r._id}:take` });
    } catch (err) {
      if (!refusedDebit(err)) throw err;
      return refuse(r, new LifelineError('insufficient_stock', `only ${(await stock.head(r.itemId)).balance} of ${r.itemId} left; ${r.quantity} asked`, { itemId: r.itemId, quantity: r.quantity }));
    }
    let debit;
    try {
      debit = await points.append(r.participantId, take, { participantId: r.participantId, kind: 'redeem', points: -r.points, cause: take, idempotencyKey: req.idempotencyKey });
    } catch (err) {
      if (!refusedDebit(err)) throw err;
      const putBack = causes.unredeem(r._id);
      await stock.append(r.itemId, putBack, { participantId: r.itemId, kind: 'reverse', points: r.quantity, cause: putBack, idempotencyKey: `${r._id}:put-back` });
      return refuse(r, new LifelineError('invalid_state', `balance ${(await points.head(r.participantId)).balance} cannot cover ${r.points} points`, { participantId: r.participantId, points: r.points }));
    }
    if (r.status !== 'redeemed') await redemptions.updateOne({ _id: r._id }, { $set: { status: 'redeemed' } });
    const result: incentivesContract.Redemption = { redemptionId: r._id, participantId: r.participantId, itemId: r.itemId, quantity: r.quantity, points: r.points, entry: toLedgerEntry(debit.entry) };
    await ctx.events.publish(incentivesEvents.redeemed, r._id, result);
    return result;
  }

  return { restock, catalogue, redeem, item: itemView };
}
