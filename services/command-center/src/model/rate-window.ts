import { Schema, type Connection } from 'mongoose';

/**
 * One caller's changes in one fixed window, shared by every command-center replica: `_id` is
 * `<window start, ms>:<blind index of the caller>`, and each counted request is one atomic `$inc` upsert on it.
 * MongoDB would drop spent windows with a TTL index on `expiresAt`; FerretDB (the local store) has none, so the
 * limiter deletes them itself (src/rate-limit.ts).
 */
export interface RateWindowDoc {
  _id: string;
  hits: number;
  expiresAt: Date;
}

const schema = new Schema<RateWindowDoc>({ _id: { type: String, required: true }, hits: { type: Number, required: true }, expiresAt: { type: Date, required: true } }, { versionKey: false });

export const rateWindowModel = (db: Connection) => db.model<RateWindowDoc>('RateWindow', schema, 'rate_windows');
