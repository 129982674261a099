import { Schema, type Connection } from 'mongoose';
import { LifelineError } from '@lifeline/contracts';

/**
 * Who did what, when: every command and every start is written here, appended to one hash chain (src/audit.ts).
 * A chained entry has `_id` = `audit-<seq>`, so the `_id` index is the unique index on the sequence (a separate
 * unique index on `seq` could not be built on MongoDB over the entries written before the chain, which have none;
 * FerretDB has no partial indexes). `subject` and `detail` are sealed.
 */
export interface AuditDoc {
  _id: string;
  /** Absent on entries written before the chain began. */
  seq?: number;
  at: Date;
  subject?: string | null;
  role?: string | null;
  action: string;
  target: string;
  /** Sealed JSON on chained entries; whatever was written on older ones. */
  detail?: unknown;
  prevId?: string | null;
  prevHash?: string;
  hash?: string;
}

const schema = new Schema<AuditDoc>(
  {
    _id: { type: String, required: true },
    seq: Number,
    at: { type: Date, required: true },
    subject: String,
    role: String,
    action: String,
    target: String,
    detail: Schema.Types.Mixed,
    prevId: String,
    prevHash: String,
    hash: String,
  },
  { versionKey: false },
);
schema.index({ target: 1, at: 1 });

const appendOnly = () => {
  throw new LifelineError('internal', 'audit entries are append-only');
};
schema.pre(['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'], appendOnly);

export const auditModel = (db: Connection) => db.model<AuditDoc>('Audit', schema, 'audit');
