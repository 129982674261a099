import { Schema, type Connection, type Model } from 'mongoose';

/**
 * The record of one message to one resident for one incident step, written once with the gateway's answer after the
 * claim was taken (see claim.ts). Unique per (incidentId, stepId, residentId); no clear-text personal data.
 */
export interface DeliveryDoc {
  /** The delivery key, as for the claim. */
  _id: string;
  incidentId: string;
  stepId: string;
  residentId: string;
  jobId: string;
  communityId: string;
  batch: number;
  /** Position in the vulnerable-first order of the job's audience. */
  position: number;
  vulnerable: boolean;
  channel: string;
  /** `capped`: held back by the contact-frequency cap (the step still never messages them twice). */
  status: 'sent' | 'failed' | 'capped';
  /** Why the gateway refused, when it did. */
  reason?: string;
  /** The gateway's receipt for the transmission that reached the resident. */
  receiptId?: string;
  /** The channel that failed first, when the resident was reached on a second one. */
  fallbackFrom?: string;
  drill: boolean;
  createdAt: Date;
}

const schema = new Schema<DeliveryDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    stepId: { type: String, required: true },
    residentId: { type: String, required: true },
    jobId: { type: String, required: true },
    communityId: { type: String, required: true },
    batch: { type: Number, required: true },
    position: { type: Number, required: true },
    vulnerable: { type: Boolean, required: true },
    channel: { type: String, required: true },
    status: { type: String, required: true, enum: ['sent', 'failed', 'capped'] },
    reason: { type: String },
    receiptId: { type: String },
    fallbackFrom: { type: String },
    drill: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'deliveries', versionKey: false },
);
schema.index({ incidentId: 1, stepId: 1, residentId: 1 }, { unique: true });
schema.index({ jobId: 1, batch: 1 });

export function deliveryModel(db: Connection): Model<DeliveryDoc> {
  return (db.models.Delivery as Model<DeliveryDoc> | undefined) ?? db.model<DeliveryDoc>('Delivery', schema);
}
