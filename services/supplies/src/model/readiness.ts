import { Schema, type Connection, type Model } from 'mongoose';

/** A community's target for an item: `_id` = `<communityId>/<itemCode>`. */
export interface TargetDoc {
  _id: string;
  communityId: string;
  itemCode: string;
  quantity: number;
}
/** One inspection, under a hash of its idempotency key. */
export interface InspectionDoc {
  _id: string;
  depotId: string;
  inspectedOn: string;
  inspectorId: string;
  findings: { lotId: string; condition: string; counted?: number; note?: string }[];
  changedLots: string[];
  at: Date;
}

const loose = { strict: false, versionKey: false } as const;
const targetSchema = new Schema<TargetDoc>({ _id: { type: String, required: true } }, { ...loose, collection: 'targets' });
const inspectionSchema = new Schema<InspectionDoc>({ _id: { type: String, required: true } }, { ...loose, collection: 'inspections' });
const model = <T>(db: Connection, name: string, schema: Schema<T>): Model<T> => (db.models[name] as Model<T> | undefined) ?? db.model<T>(name, schema);
export const targetModel = (db: Connection) => model(db, 'Target', targetSchema);
export const inspectionModel = (db: Connection) => model(db, 'Inspection', inspectionSchema);
