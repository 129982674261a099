import { Schema, type Connection, type Model } from 'mongoose';

/** The first result of a stand-down command, kept so a repeat with the same key returns it. */
export interface StandDownDoc {
  _id: string;
  incidentId: string;
  stoodDown: number;
}

const schema = new Schema<StandDownDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    stoodDown: { type: Number, required: true },
  },
  { collection: 'stand_downs', versionKey: false, timestamps: true },
);

export function standDownModel(db: Connection): Model<StandDownDoc> {
  return (db.models.StandDown as Model<StandDownDoc> | undefined) ?? db.model<StandDownDoc>('StandDown', schema);
}
