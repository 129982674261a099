import { Schema, type Connection, type Model } from 'mongoose';

/** An inbound reply from a resident, one per idempotency key; the free text is stored sealed. */
export interface ReplyDoc {
  _id: string;
  idempotencyKey: string;
  incidentId: string;
  residentId: string;
  communityId: string;
  gridId: string;
  kind: 'safe' | 'need-help' | 'info';
  category?: string;
  text?: string;
  channel: string;
  vulnerable: boolean;
  caseId?: string;
  createdAt: Date;
}

const schema = new Schema<ReplyDoc>(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    incidentId: { type: String, required: true },
    residentId: { type: String, required: true },
    communityId: { type: String, required: true },
    gridId: { type: String, required: true },
    kind: { type: String, required: true, enum: ['safe', 'need-help', 'info'] },
    category: String,
    text: String,
    channel: { type: String, required: true },
    vulnerable: { type: Boolean, required: true },
    caseId: String,
    createdAt: { type: Date, required: true },
  },
  { collection: 'replies', versionKey: false },
);
schema.index({ idempotencyKey: 1 }, { unique: true });
schema.index({ incidentId: 1 });

export function replyModel(db: Connection): Model<ReplyDoc> {
  return (db.models.Reply as Model<ReplyDoc> | undefined) ?? db.model<ReplyDoc>('Reply', schema);
}
