import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A resident in the registry (the full record, one document each). `name`, `phone` and `address` hold only sealed
 * values (`pii1:…`), never clear text. Broadcasts never read this collection: they read the audience pages.
 */
export interface ResidentDoc {
  _id: string;
  communityId: string;
  gridId: string;
  buildingId: string;
  language: 'zh' | 'en';
  vulnerabilities: string[];
  /** Derived from `vulnerabilities`: which kind of audience page the resident is on. */
  vulnerable: boolean;
  name: string;
  phone: string;
  address: string;
  /** The audience page the resident is on (written before the page, so a retried seeding places them there again). */
  pageId?: string;
  /** Pages the resident was on before moving (another community or vulnerability): emptied of them by seeding, and
   * still holding the delivery sheets of steps that reached them there. */
  formerPageIds?: string[];
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
    pageId: { type: String },
    formerPageIds: { type: [String], default: undefined },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'residents', versionKey: false },
);

export function residentModel(db: Connection): Model<ResidentDoc> {
  return (db.models.Resident as Model<ResidentDoc> | undefined) ?? db.model<ResidentDoc>('Resident', schema);
}
