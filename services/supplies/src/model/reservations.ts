import { idFromKey } from '@lifeline/platform/ids';
import { Schema, type Connection, type Model } from 'mongoose';
import type { suppliesContract } from '@lifeline/contracts';

type Reservation = suppliesContract.Reservation;
import type { UnusableLot } from '../domain/eligibility';
import type { HoldMove } from '../domain/lotStock';

/**
 * The contract's statuses. A reservation is written once its stock is held, so it is never stored half made;
 * `pending` only appears in documents written before holds were documents of their own (an interrupted reservation).
 */
export type StoredStatus = 'pending' | Reservation['status'];

export interface ReservationDoc {
  _id: string;
  idempotencyKey: string;
  incidentId: string;
  communityId: string;
  drill: boolean;
  /** The day expiry was judged against (UTC). */
  asOf: string;
  status: StoredStatus;
  lines: Reservation['lines'];
  shortfalls: Reservation['shortfalls'];
  /** Expired, damaged or condemned lots the reservation found in its depots and skipped. */
  unusable: UnusableLot[];
  /**
   * The command that moved the reservation out of each status, pushed by the same conditional update that changed
   * the status: a repeat with the same key finds it and resumes, any other key gets `invalid_state`.
   */
  commands: { verb: HoldMove; idempotencyKey: string }[];
  createdAt: Date;
}

const lineSchema = new Schema(
  {
    itemCode: String,
    requested: Number,
    reserved: Number,
    lots: [new Schema({ lotId: String, quantity: Number }, { _id: false })],
  },
  { _id: false },
);
const commandSchema = new Schema({ verb: String, idempotencyKey: String }, { _id: false });

const reservationSchema = new Schema<ReservationDoc>(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, required: true, unique: true },
    incidentId: { type: String, required: true, index: true },
    communityId: { type: String, required: true },
    drill: { type: Boolean, required: true },
    asOf: { type: String, required: true },
    status: { type: String, required: true },
    lines: { type: [lineSchema], default: [] },
    shortfalls: [new Schema({ itemCode: String, missing: Number }, { _id: false })],
    unusable: { type: [new Schema({ lotId: String, depotId: String, itemCode: String, quantity: Number, reason: String }, { _id: false })], default: [] },
    commands: { type: [commandSchema], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'reservations', versionKey: false },
);

export const reservationModel = (db: Connection): Model<ReservationDoc> => db.models.Reservation ?? db.model<ReservationDoc>('Reservation', reservationSchema);

/** Derived from the idempotency key, so every attempt of one reserve command names the same reservation. */
export const reservationIdFor = (idempotencyKey: string) => idFromKey('res', idempotencyKey, 24);

/** The contract's view of a stored reservation. */
export function toReservation(doc: ReservationDoc): Reservation {
  return {
    reservationId: doc._id,
    incidentId: doc.incidentId,
    communityId: doc.communityId,
    status: doc.status === 'pending' ? 'reserved' : doc.status,
    lines: doc.lines.map((l) => ({ itemCode: l.itemCode, requested: l.requested, reserved: l.reserved, lots: l.lots.map((x) => ({ lotId: x.lotId, quantity: x.quantity })) })),
    shortfalls: doc.shortfalls.map((s) => ({ itemCode: s.itemCode, missing: s.missing })),
  };
}
