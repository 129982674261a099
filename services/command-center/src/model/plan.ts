import { Schema, type Connection } from 'mongoose';
import type { PlanDocument } from '@lifeline/contracts';
import type { PlanVersionStatus } from '@lifeline/contracts/http/command-center';

export interface StoredPlan {
  planId: string;
  version: number;
  document: PlanDocument;
  /** The author, and for a version accepted from a review `"<author> [review <key>]"`. */
  createdBy: string;
  createdAt: Date;
  /** Absent on versions stored before the lifecycle: the library's count as approved, any other as a draft. */
  status?: PlanVersionStatus;
  author?: string;
  approvedBy?: string;
  approvedAt?: Date;
  retiredBy?: string;
  retiredAt?: Date;
  retireReason?: string;
}

const schema = new Schema<StoredPlan>(
  {
    planId: { type: String, required: true },
    version: { type: Number, required: true },
    document: { type: Schema.Types.Mixed, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    status: { type: String, required: false },
    author: { type: String, required: false },
    approvedBy: { type: String, required: false },
    approvedAt: { type: Date, required: false },
    retiredBy: { type: String, required: false },
    retiredAt: { type: Date, required: false },
    retireReason: { type: String, required: false },
  },
  { versionKey: false, minimize: false },
);
// Documents are immutable: one per (plan, version), never updated. Only the lifecycle fields beside it move, each
// by one conditional update (draft → approved, draft/approved → retired).
schema.index({ planId: 1, version: 1 }, { unique: true });

export const planModel = (db: Connection) => db.model<StoredPlan>('Plan', schema, 'plans');
