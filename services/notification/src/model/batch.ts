import { Schema, type Connection, type Model } from 'mongoose';

/** What the sender needs of a resident, copied from the registry when the job was cut (phone still sealed). */
export interface Recipient {
  id: string;
  language: 'zh' | 'en';
  phone: string;
  vulnerable: boolean;
  gridId?: string;
  buildingId?: string;
}

/**
 * The recipients of one batch of a job, written when the job is created and deleted once the batch is counted.
 * The work item names the residents; this snapshot lets the sender read them with one primary-key look-up instead
 * of a query over the whole registry (the store scans a collection for anything but `{_id}`; see README).
 */
export interface BatchDoc {
  _id: string;
  jobId: string;
  batch: number;
  recipients: Recipient[];
}

export const batchKey = (jobId: string, batch: number) => `${jobId}:${batch}`;

const schema = new Schema<BatchDoc>(
  {
    _id: { type: String, required: true },
    jobId: { type: String, required: true },
    batch: { type: Number, required: true },
    recipients: { type: [{ _id: false, id: String, language: String, phone: String, vulnerable: Boolean, gridId: String, buildingId: String }], required: true },
  },
  { collection: 'broadcast_batches', versionKey: false },
);

export function batchModel(db: Connection): Model<BatchDoc> {
  return (db.models.BroadcastBatch as Model<BatchDoc> | undefined) ?? db.model<BatchDoc>('BroadcastBatch', schema);
}
