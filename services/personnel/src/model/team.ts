import { Schema, type Connection, type Model } from 'mongoose';

/** A standing team (professional or volunteer); members list its id in their `teamIds`. */
export interface TeamDoc {
  _id: string;
  name: { zh: string; en: string };
  communityId?: string;
  profession?: string;
  skills: string[];
  leaderId?: string;
}

const schema = new Schema<TeamDoc>(
  {
    _id: { type: String, required: true },
    name: { zh: { type: String, required: true }, en: { type: String, required: true } },
    communityId: { type: String },
    profession: { type: String },
    skills: { type: [String], default: undefined },
    leaderId: { type: String },
  },
  { collection: 'teams', versionKey: false, timestamps: true },
);

export function teamModel(db: Connection): Model<TeamDoc> {
  return (db.models.Team as Model<TeamDoc> | undefined) ?? db.model<TeamDoc>('Team', schema);
}
