import { Schema, type Connection, type Model } from 'mongoose';

/** A resident in the registry. `name`, `phone` and `address` hold only sealed values (`pii1:…`), never clear text. */
export interface ResidentDoc {
  _id: string;
  communityId: string;
  gridId: string;
  buildingId: string;
  language: 'zh' | 'en';
  vulnerabilities: string[];
  /** Derived from `vulnerabilities` so the store can select the vulnerable with a plain equality match. */
  vulnerable: boolean;
  name: string;
  phone: string;
  address: string;
  updatedAt: Date;
}

const schema = new Schema<ResidentDoc>(
  {
    _id: { type: String, required: true },
    communityId: { type: String, required: true },
    gridId: { type: String, required: true },
    buildingId: { type: String, required: true },
    language: { type: String, required: true, enum: ['zh', 'en'] },
    vulnerabilities: { type: [String], default: [] },
    vulnerable: { type: Boolean, required: true },
    name: { type: String, required: true },
    phone: { type: String, required: true },
    address: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'residents', versionKey: false },
);
schema.index({ communityId: 1, vulnerable: 1 });

export function residentModel(db: Connection): Model<ResidentDoc> {
  return (db.models.Resident as Model<ResidentDoc> | undefined) ?? db.model<ResidentDoc>('Resident', schema);
}
