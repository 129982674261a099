import { Schema, type Connection, type Model } from 'mongoose';

/** One message to one responder (a task assignment); the phone is stored sealed. */
export interface DirectDoc {
  _id: string;
  idempotencyKey: string;
  incidentId: string;
  recipientId: string;
  phone: string;
  channel: string;
  drill: boolean;
  status: 'pending' | 'sent' | 'failed';
  /** A task message to a responder, or the answer that tells a resident their case was handled. */
  purpose?: 'responder' | 'case-answer';
  createdAt: Date;
}

const schema = new Schema<DirectDoc>(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    incidentId: { type: String, required: true },
    recipientId: { type: String, required: true },
    phone: { type: String, required: true },
    channel: { type: String, required: true },
    drill: { type: Boolean, required: true },
    status: { type: String, required: true, enum: ['pending', 'sent', 'failed'] },
    purpose: { type: String, enum: ['responder', 'case-answer'] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'direct_messages', versionKey: false },
);
schema.index({ idempotencyKey: 1 }, { unique: true });
schema.index({ incidentId: 1 });

export function directModel(db: Connection): Model<DirectDoc> {
  return (db.models.DirectMessage as Model<DirectDoc> | undefined) ?? db.model<DirectDoc>('DirectMessage', schema);
}
