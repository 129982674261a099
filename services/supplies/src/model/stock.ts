import { Schema, type Connection, type Model } from 'mongoose';
import type { suppliesContract } from '@lifeline/contracts';

type Depot = suppliesContract.Depot;
type Item = suppliesContract.Item;

export type DepotDoc = Omit<Depot, 'id'> & { _id: string; lastInspectedOn?: string };
export type ItemDoc = Omit<Item, 'code'> & { _id: string };

const LocalizedText = { zh: { type: String, required: true }, en: { type: String, required: true } };

const depotSchema = new Schema<DepotDoc>(
  {
    _id: { type: String, required: true },
    name: LocalizedText,
    level: { type: String, required: true },
    areaId: { type: String, required: true, index: true },
    parentId: { type: String },
    location: { type: new Schema({ lat: Number, lng: Number }, { _id: false }), default: undefined },
    inspectionIntervalDays: { type: Number },
    lastInspectedOn: { type: String },
  },
  { collection: 'depots', versionKey: false },
);

const itemSchema = new Schema<ItemDoc>(
  {
    _id: { type: String, required: true },
    name: LocalizedText,
    unit: { type: String, required: true },
    category: { type: String, required: true },
  },
  { collection: 'items', versionKey: false },
);

export const depotModel = (db: Connection): Model<DepotDoc> => db.models.Depot ?? db.model<DepotDoc>('Depot', depotSchema);
export const itemModel = (db: Connection): Model<ItemDoc> => db.models.Item ?? db.model<ItemDoc>('Item', itemSchema);

/**
 * The depots a community may draw from with their distance: its own stockpile (0), then each parent up the
 * chain (sub-district, district, city). A cycle in the data stops the walk instead of looping.
 */
export async function depotChain(depots: Model<DepotDoc>, communityId: string): Promise<Map<string, number>> {
  const rank = new Map<string, number>();
  let level = await depots.find({ areaId: communityId }, { _id: 1, parentId: 1 }).lean();
  for (let distance = 0; level.length > 0; distance++) {
    const fresh = level.filter((d) => !rank.has(d._id));
    for (const d of fresh) rank.set(d._id, distance);
    const parents = [...new Set(fresh.map((d) => d.parentId).filter((p): p is string => p !== undefined && !rank.has(p)))];
    level = parents.length ? await depots.find({ _id: { $in: parents } }, { _id: 1, parentId: 1 }).lean() : [];
  }
  return rank;
}
