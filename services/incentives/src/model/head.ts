import { Schema, type Connection, type Model } from 'mongoose';

/** A participant's newest seq, hash and balance; advanced only by a conditional update on the expected seq. */
export interface HeadDoc {
  _id: string;
  seq: number;
  hash: string;
  balance: number;
  day?: string;
  dayEarned?: number;
  dayHours?: number;
}

const schema = new Schema<HeadDoc>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    hash: { type: String, required: true },
    balance: { type: Number, required: true, min: 0 },
    day: { type: String },
    dayEarned: { type: Number },
    dayHours: { type: Number },
  },
  { versionKey: false },
);

const HEADS = { points: { model: 'ParticipantHead', collection: 'participant_heads' }, stock: { model: 'StockHead', collection: 'stock_heads' } } as const;

export function participantHeadModel(db: Connection, ledger: keyof typeof HEADS = 'points'): Model<HeadDoc> {
  const { model, collection } = HEADS[ledger];
  return (db.models[model] as Model<HeadDoc> | undefined) ?? db.model<HeadDoc>(model, schema, collection);
}
