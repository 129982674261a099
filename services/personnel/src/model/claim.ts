import { Schema, type Connection, type Model } from 'mongoose';

/**
 * "This person holds an open task in this incident." The `_id` is `<incidentId>/<personId>`, so the unique
 * `_id` index makes the claim atomic: two dispatches can never name the same person in one incident. A claim is
 * taken before the task change naming the person is written; `by` names the attempt that holds it, so an attempt
 * that loses its revision to another writer removes only a claim no other attempt has taken over.
 */
export interface ClaimDoc {
  _id: string;
  incidentId: string;
  personId: string;
  taskId: string;
  by?: string;
}

const schema = new Schema<ClaimDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    personId: { type: String, required: true },
    taskId: { type: String, required: true, index: true },
    by: { type: String },
  },
  { collection: 'claims', versionKey: false, timestamps: true },
);

export const claimIdOf = (incidentId: string, personId: string) => `${incidentId}/${personId}`;

export function claimModel(db: Connection): Model<ClaimDoc> {
  return (db.models.Claim as Model<ClaimDoc> | undefined) ?? db.model<ClaimDoc>('Claim', schema);
}
