import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One contact of a resident inside a cap window, inserted under `${residentId}:${window}:${k}` for k < cap: the unique
 * `_id` is what makes the contact-frequency cap hold under concurrent jobs (the store's `$inc` is not atomic).
 */
export interface SlotDoc {
  _id: string;
  residentId: string;
  jobId: string;
  createdAt: Date;
}

const schema = new Schema<SlotDoc>(
  { _id: { type: String, required: true }, residentId: String, jobId: String, createdAt: Date },
  { collection: 'contact_slots', versionKey: false },
);

export const slotKey = (residentId: string, window: number, k: number) => `${residentId}:${window}:${k}`;

export function slotModel(db: Connection): Model<SlotDoc> {
  return (db.models.ContactSlot as Model<SlotDoc> | undefined) ?? db.model<SlotDoc>('ContactSlot', schema);
}
