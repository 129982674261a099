import { Schema, type Connection, type Model } from 'mongoose';

/** `${incidentId}:${stepId}:${residentId}` — the one key under which a step may reach a resident. */
export const deliveryKey = (incidentId: string, stepId: string, residentId: string) => `${incidentId}:${stepId}:${residentId}`;

/**
 * The right to message a resident for an incident step, taken (by insert, `_id` = delivery key) before the gateway
 * is called, so two jobs or two deliveries of one batch can never both message the same resident for one step.
 */
export interface ClaimDoc {
  _id: string;
  jobId: string;
  batch: number;
  residentId: string;
  createdAt: Date;
}

const schema = new Schema<ClaimDoc>(
  {
    _id: { type: String, required: true },
    jobId: { type: String, required: true },
    batch: { type: Number, required: true },
    residentId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'delivery_claims', versionKey: false },
);

export function claimModel(db: Connection): Model<ClaimDoc> {
  return (db.models.DeliveryClaim as Model<ClaimDoc> | undefined) ?? db.model<ClaimDoc>('DeliveryClaim', schema);
}
