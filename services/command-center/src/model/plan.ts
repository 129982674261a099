import { Schema, type Connection } from 'mongoose';
import type { PlanDocument } from '@lifeline/contracts';

export interface StoredPlan {
  planId: string;
  version: number;
  document: PlanDocument;
  createdBy: string;
  createdAt: Date;
}

const schema = new Schema<StoredPlan>(
  {
    planId: { type: String, required: true },
    version: { type: Number, required: true },
    document: { type: Schema.Types.Mixed, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// Versions are immutable: one document per (plan, version), never updated.
schema.index({ planId: 1, version: 1 }, { unique: true });

export const planModel = (db: Connection) => db.model<StoredPlan>('Plan', schema, 'plans');
