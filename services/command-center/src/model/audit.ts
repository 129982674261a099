import { Schema, type Connection } from 'mongoose';

/** Who did what, when: every command and every start is written here. */
export interface AuditEntry {
  at: Date;
  subject: string;
  role: string;
  action: string;
  target: string;
  detail?: unknown;
}

const schema = new Schema<AuditEntry>(
  { at: { type: Date, required: true }, subject: String, role: String, action: String, target: String, detail: Schema.Types.Mixed },
  { versionKey: false },
);
schema.index({ target: 1, at: 1 });

export const auditModel = (db: Connection) => db.model<AuditEntry>('Audit', schema, 'audit');
