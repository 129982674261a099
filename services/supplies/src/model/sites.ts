import { idFromKey } from '@lifeline/platform/ids';
import { Schema, type Connection, type Model } from 'mongoose';
import type { suppliesContract } from '@lifeline/contracts';

type Site = suppliesContract.Site;

export type SiteDoc = Omit<Site, 'id'> & { _id: string };
/** A site open for an incident: `_id` = `<incidentId>/<siteId>`. */
export interface OpeningDoc {
  _id: string;
  incidentId: string;
  communityId: string;
  siteId: string;
  kind: Site['kind'];
  capacity: number;
  occupancy: number;
  status: 'open' | 'closed';
  reportedAt?: Date;
}
/** The answer a keyed open/close/occupancy command gave, so a repeat returns it. */
export interface SiteCommandDoc {
  _id: string;
  result: unknown;
  at: Date;
}

const loose = { strict: false, versionKey: false } as const;
const siteSchema = new Schema<SiteDoc>({ _id: { type: String, required: true }, communityId: { type: String, index: true } }, { ...loose, collection: 'sites' });
const openingSchema = new Schema<OpeningDoc>({ _id: { type: String, required: true } }, { ...loose, collection: 'siteopenings' });
const commandSchema = new Schema<SiteCommandDoc>({ _id: { type: String, required: true } }, { ...loose, collection: 'sitecommands' });

const model = <T>(db: Connection, name: string, schema: Schema<T>): Model<T> => (db.models[name] as Model<T> | undefined) ?? db.model<T>(name, schema);
export const siteModel = (db: Connection) => model(db, 'Site', siteSchema);
export const openingModel = (db: Connection) => model(db, 'SiteOpening', openingSchema);
export const siteCommandModel = (db: Connection) => model(db, 'SiteCommand', commandSchema);
export const openingId = (incidentId: string, siteId: string) => `${incidentId}/${siteId}`;
export const commandId = (verb: string, key: string) => idFromKey(verb, key, 32);
