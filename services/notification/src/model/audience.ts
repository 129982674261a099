import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One page of a community's audience: up to 1,000 residents of one kind (`v` vulnerable, `o` others), `_id` =
 * `${communityId}/${kind}/${n}`. `entries` is the page's compact encoding (domain/page.ts) sealed as ONE value: one
 * look-up and one decrypt give the sender everything it needs, phones included, for a thousand residents.
 */
export interface AudiencePageDoc {
  _id: string;
  communityId: string;
  count: number;
  /** Incremented by every write (seeding writes a community's pages under its lease, see registry.ts). */
  version: number;
  entries: string;
  updatedAt: Date;
}

const pageSchema = new Schema<AudiencePageDoc>(
  { _id: { type: String, required: true }, communityId: String, count: Number, version: Number, entries: String, updatedAt: Date },
  { collection: 'audience_pages', versionKey: false },
);

export function audiencePageModel(db: Connection): Model<AudiencePageDoc> {
  return (db.models.AudiencePage as Model<AudiencePageDoc> | undefined) ?? db.model<AudiencePageDoc>('AudiencePage', pageSchema);
}

/**
 * A community's audience index, `_id` = communityId: every page with its count and residents per (grid, building)
 * (domain/audience-index.ts, one line a page), so a cut counts and narrows without reading pages. `pending` names the
 * pages a seeding round is writing: listed before their first write (a page is never missing from its index) and
 * read by a cut until the round has written their summaries here.
 */
export interface AudienceIndexDoc {
  _id: string;
  pages: string;
  pending: string[];
  updatedAt: Date;
}

const indexSchema = new Schema<AudienceIndexDoc>(
  { _id: { type: String, required: true }, pages: String, pending: { type: [String], default: [] }, updatedAt: Date },
  { collection: 'audience_index', versionKey: false },
);

export function audienceIndexModel(db: Connection): Model<AudienceIndexDoc> {
  return (db.models.AudienceIndex as Model<AudienceIndexDoc> | undefined) ?? db.model<AudienceIndexDoc>('AudienceIndex', indexSchema);
}

/**
 * Who is seeding a community right now (one document while a round runs, deleted after). Taken by a unique insert;
 * an expired one is taken over by a conditional update, which our store answers by scanning — cheap here, because
 * this collection only ever holds the rounds in progress.
 */
export interface SeedLeaseDoc {
  _id: string;
  holder: string;
  expiresAt: Date;
}

const leaseSchema = new Schema<SeedLeaseDoc>({ _id: { type: String, required: true }, holder: String, expiresAt: Date }, { collection: 'seed_leases', versionKey: false });

export function seedLeaseModel(db: Connection): Model<SeedLeaseDoc> {
  return (db.models.SeedLease as Model<SeedLeaseDoc> | undefined) ?? db.model<SeedLeaseDoc>('SeedLease', leaseSchema);
}
