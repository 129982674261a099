import { Schema, type Connection, type Model } from 'mongoose';
import type { personnelContract } from '@lifeline/contracts';

/**
 * One task with exactly one owner (专人专事). `_id` is the task id, derived from the dispatch's idempotency
 * key. `assigning` is true between the task's creation and its first owner decision, so a retry after a
 * crash resumes instead of creating a second task; `pendingFallback` plays the same role for a fallback.
 */
export interface TaskDoc {
  _id: string;
  idempotencyKey: string;
  incidentId: string;
  communityId: string;
  stepId: string;
  role: personnelContract.PersonType;
  skill?: string;
  task: { zh: string; en: string };
  severity: string;
  drill: boolean;
  ownerId?: string;
  owners: string[];
  status: personnelContract.TaskStatus;
  hours?: number;
  assigning: boolean;
  /** Owners who did not acknowledge before the workflow's deadline, in order. */
  timedOutOwners: string[];
  fallbackKeys: string[];
  pendingFallback?: string;
  stoodDownBy?: string;
  /** When the current owner was named; the workflow's acknowledgement deadline runs from here. */
  assignedAt?: Date;
  acknowledgedAt?: Date;
  doneAt?: Date;
  stoodDownAt?: Date;
}

const schema = new Schema<TaskDoc>(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, required: true, unique: true },
    incidentId: { type: String, required: true },
    communityId: { type: String, required: true },
    stepId: { type: String, required: true },
    role: { type: String, required: true },
    skill: { type: String },
    task: { zh: { type: String, required: true }, en: { type: String, required: true } },
    severity: { type: String, required: true },
    drill: { type: Boolean, required: true },
    ownerId: { type: String },
    owners: { type: [String], default: [] },
    status: { type: String, required: true },
    hours: { type: Number },
    assigning: { type: Boolean, required: true },
    timedOutOwners: { type: [String], default: [] },
    fallbackKeys: { type: [String], default: [] },
    pendingFallback: { type: String },
    stoodDownBy: { type: String },
    assignedAt: { type: Date },
    acknowledgedAt: { type: Date },
    doneAt: { type: Date },
    stoodDownAt: { type: Date },
  },
  { collection: 'tasks', versionKey: false, timestamps: true },
);
schema.index({ incidentId: 1, status: 1 });

export function taskModel(db: Connection): Model<TaskDoc> {
  return (db.models.Task as Model<TaskDoc> | undefined) ?? db.model<TaskDoc>('Task', schema);
}
