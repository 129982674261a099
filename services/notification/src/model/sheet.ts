import { Schema, type Connection, type Model } from 'mongoose';

/**
 * The delivery sheet of one incident step and one audience page, `_id` = `${incidentId}:${stepId}:${pageId}`: who
 * owns each resident (first claim wins) and what the gateway answered, as two append-only logs of compact strings
 * (domain/sheet.ts). It replaces a claim, a contact slot and a delivery document per resident with one document per
 * thousand; it holds no personal data (pseudonymous resident ids, channels, receipts, times).
 */
export interface SheetDoc {
  _id: string;
  incidentId: string;
  stepId: string;
  pageId: string;
  claims: string[];
  outcomes: string[];
  createdAt: Date;
}

const schema = new Schema<SheetDoc>(
  {
    _id: { type: String, required: true },
    incidentId: String,
    stepId: String,
    pageId: String,
    claims: { type: [String], default: [] },
    outcomes: { type: [String], default: [] },
    createdAt: Date,
  },
  { collection: 'delivery_sheets', versionKey: false },
);

export function sheetModel(db: Connection): Model<SheetDoc> {
  return (db.models.DeliverySheet as Model<SheetDoc> | undefined) ?? db.model<SheetDoc>('DeliverySheet', schema);
}

/** The contact-frequency log of one page and cap window, `_id` = `${pageId}:${windowMinutes}m:${window}` (domain/contact-cap.ts). */
export interface ContactLogDoc {
  _id: string;
  steps: string[];
  createdAt: Date;
}

const contactSchema = new Schema<ContactLogDoc>({ _id: { type: String, required: true }, steps: { type: [String], default: [] }, createdAt: Date }, { collection: 'contact_logs', versionKey: false });

export function contactLogModel(db: Connection): Model<ContactLogDoc> {
  return (db.models.ContactLog as Model<ContactLogDoc> | undefined) ?? db.model<ContactLogDoc>('ContactLog', contactSchema);
}

/**
 * One shard of a job's page tallies, `_id` = `${jobId}/${k}`: the pages the cut queued into it (`expected`) and one
 * record per counted page, the first per page counts (domain/tally.ts).
 */
export interface TallyDoc {
  _id: string;
  jobId: string;
  expected?: string[];
  pages: string[];
}

const tallySchema = new Schema<TallyDoc>(
  { _id: { type: String, required: true }, jobId: String, expected: { type: [String], default: undefined }, pages: { type: [String], default: [] } },
  { collection: 'broadcast_tallies', versionKey: false },
);

export function tallyModel(db: Connection): Model<TallyDoc> {
  return (db.models.BroadcastTally as Model<TallyDoc> | undefined) ?? db.model<TallyDoc>('BroadcastTally', tallySchema);
}
