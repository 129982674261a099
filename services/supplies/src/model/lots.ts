import { Schema, type Connection, type Model } from 'mongoose';
import type { suppliesContract } from '@lifeline/contracts';
import type { Hold, HoldState, LotCounters } from '../domain/lotStock';
import type { JournaledDoc } from './journal';

type Lot = suppliesContract.Lot;

/**
 * A lot: what it is (from seed) and its stock counters, the truth about its stock, changed only by the lot's
 * journaled commits (`LotWriter`). Holds are documents of their own: a lot carrying an array of 1,000 holds cost ~34 ms
 * per read or write on the local store, so the lot stays a few hundred bytes however many reservations it serves.
 */
export type LotDoc = Omit<Lot, 'id' | 'quantity'> & LotCounters & JournaledDoc;

/** One holder's hold on one lot: `_id` = `<holderId>@<lotId>`, so a holder can hold a lot only once. */
export interface HoldDoc {
  _id: string;
  lotId: string;
  /** The reservation holding the stock, or the transfer holding it at its source lot. */
  reservationId: string;
  quantity: number;
  state: HoldState;
}

const lotSchema = new Schema<LotDoc>(
  {
    _id: { type: String, required: true },
    depotId: { type: String, required: true },
    itemCode: { type: String, required: true },
    expiresOn: { type: String },
    source: { type: String, required: true },
    condition: { type: String, required: true },
    quantity: { type: Number, required: true },
    available: { type: Number, required: true },
    held: { type: Number, required: true },
    issued: { type: Number, required: true },
    v: { type: Number, required: true },
    pending: { type: String },
    by: { type: String },
  },
  { collection: 'lots', versionKey: false },
);
lotSchema.index({ itemCode: 1, depotId: 1 });
lotSchema.index({ depotId: 1 });

const holdSchema = new Schema<HoldDoc>(
  {
    _id: { type: String, required: true },
    lotId: { type: String, required: true },
    reservationId: { type: String, required: true },
    quantity: { type: Number, required: true },
    state: { type: String, required: true },
  },
  { collection: 'holds', versionKey: false },
);
// A lot's writer reads all its holds when it loads the lot (`LotWriter`): an equality on this index's first field.
holdSchema.index({ lotId: 1 });

export const lotModel = (db: Connection): Model<LotDoc> => db.models.Lot ?? db.model<LotDoc>('Lot', lotSchema);
export const holdModel = (db: Connection): Model<HoldDoc> => db.models.Hold ?? db.model<HoldDoc>('Hold', holdSchema);

export const holdId = (holderId: string, lotId: string) => `${holderId}@${lotId}`;
export const toHold = (d: HoldDoc): Hold => ({ holderId: d.reservationId, quantity: d.quantity, state: d.state });
export const holdDoc = (lotId: string, h: Hold): HoldDoc => ({ _id: holdId(h.holderId, lotId), lotId, reservationId: h.holderId, quantity: h.quantity, state: h.state });

/** A lot's stock as first seeded: everything on the shelf and available, version 0, nothing journaled. */
export const freshStock = (quantity: number): LotCounters & { v: number } => ({ quantity, available: quantity, held: 0, issued: 0, v: 0 });
export const countersOf = (d: LotCounters): LotCounters => ({ quantity: d.quantity, available: d.available, held: d.held, issued: d.issued });
