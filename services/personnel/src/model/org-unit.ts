import { Schema, type Connection, type Model } from 'mongoose';

/** A unit of the city's hierarchy (district → sub-district → community → grid → building), keyed by its id. */
export interface OrgUnitDoc {
  _id: string;
  level: 'district' | 'sub-district' | 'community' | 'grid' | 'building';
  parentId?: string;
  name: { zh: string; en: string };
  population: number;
  households?: number;
}

const schema = new Schema<OrgUnitDoc>(
  {
    _id: { type: String, required: true },
    level: { type: String, required: true, index: true },
    parentId: { type: String },
    name: { zh: { type: String, required: true }, en: { type: String, required: true } },
    population: { type: Number, required: true, default: 0 },
    households: { type: Number },
  },
  { collection: 'org_units', versionKey: false, timestamps: true },
);

export function orgUnitModel(db: Connection): Model<OrgUnitDoc> {
  return (db.models.OrgUnit as Model<OrgUnitDoc> | undefined) ?? db.model<OrgUnitDoc>('OrgUnit', schema);
}
