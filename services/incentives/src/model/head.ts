import { Schema, type Connection, type Model } from 'mongoose';

/** A participant's newest seq, hash and balance; advanced only by a conditional update on the expected seq. */
export interface HeadDoc {
  _id: string;
  seq: number;
  hash: string;
  balance: number;
}

const schema = new Schema<HeadDoc>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    hash: { type: String, required: true },
    balance: { type: Number, required: true, min: 0 },
  },
  { collection: 'participant_heads', versionKey: false },
);

export function participantHeadModel(db: Connection): Model<HeadDoc> {
  return (db.models.ParticipantHead as Model<HeadDoc> | undefined) ?? db.model<HeadDoc>('ParticipantHead', schema);
}
