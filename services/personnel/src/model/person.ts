import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A responder. `name` and `phone` hold sealed values only (`pii1:…`, see PiiVault); they are opened
 * solely to message the person and to show masked values on the admin API.
 * Who holds an open task in which incident lives in the `claims` collection.
 */
export interface PersonDoc {
  _id: string;
  type: string;
  communityId: string;
  gridId?: string;
  skills: string[];
  available: boolean;
  name: string;
  phone: string;
  buildingId?: string;
  partyUnitId?: string;
  profession?: string;
  workUnit?: string;
  qualifications?: { skill: string; expiresOn: string }[];
  teamIds?: string[];
  drillBehaviour?: 'acknowledge' | 'ignore' | 'decline';
}

const schema = new Schema<PersonDoc>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    communityId: { type: String, required: true },
    gridId: { type: String },
    skills: { type: [String], default: undefined },
    available: { type: Boolean, required: true, default: true },
    name: { type: String, required: true },
    phone: { type: String, required: true },
    buildingId: { type: String },
    partyUnitId: { type: String },
    profession: { type: String },
    workUnit: { type: String },
    qualifications: { type: [{ _id: false, skill: String, expiresOn: String }], default: undefined },
    teamIds: { type: [String], default: undefined },
    drillBehaviour: { type: String },
  },
  { collection: 'people', versionKey: false, timestamps: true },
);
schema.index({ communityId: 1, type: 1 });

export function personModel(db: Connection): Model<PersonDoc> {
  return (db.models.Person as Model<PersonDoc> | undefined) ?? db.model<PersonDoc>('Person', schema);
}
