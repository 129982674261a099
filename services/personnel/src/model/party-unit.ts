import { Schema, type Connection, type Model } from 'mongoose';

/** A unit of the Party overlay: community committee → grid branch → courtyard group, keyed by its id. */
export interface PartyUnitDoc {
  _id: string;
  level: 'committee' | 'branch' | 'group';
  communityId: string;
  parentId?: string;
  gridId?: string;
  buildingId?: string;
  leaderId?: string;
  name: { zh: string; en: string };
}

const schema = new Schema<PartyUnitDoc>(
  {
    _id: { type: String, required: true },
    level: { type: String, required: true },
    communityId: { type: String, required: true, index: true },
    parentId: { type: String },
    gridId: { type: String },
    buildingId: { type: String },
    leaderId: { type: String },
    name: { zh: { type: String, required: true }, en: { type: String, required: true } },
  },
  { collection: 'party_units', versionKey: false, timestamps: true },
);

export function partyUnitModel(db: Connection): Model<PartyUnitDoc> {
  return (db.models.PartyUnit as Model<PartyUnitDoc> | undefined) ?? db.model<PartyUnitDoc>('PartyUnit', schema);
}
