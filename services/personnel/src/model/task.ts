import { Schema, type Connection, type Model } from 'mongoose';
import type { personnelContract } from '@lifeline/contracts';
import type { Spell } from '../domain/transitions';

/**
 * One task with exactly one owner (专人专事). `_id` is the task id, derived from the dispatch's idempotency
 * key. `assigning` is true between the task's creation and its first owner decision. `rev` counts the task's
 * transitions: every change is first claimed by inserting `task_transitions/<taskId>#<rev>` (a unique insert,
 * atomic on FerretDB too), so replicas never apply two changes to the same revision (see README).
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
  /** Owners who did not acknowledge before the deadline, in order. */
  timedOutOwners: string[];
  fallbackKeys: string[];
  /** Legacy (before revisions): a fallback under way. */
  pendingFallback?: string;
  rev?: number;
  gridId?: string | null;
  ackDeadlineSeconds?: number | null;
  /** The current owner's acknowledgement deadline (service-kept, swept by `src/sweeper.ts`). */
  ackDueAt?: Date | null;
  /** Every owner's time with the task. */
  spells?: Spell[];
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
    rev: { type: Number },
    gridId: { type: String },
    ackDeadlineSeconds: { type: Number },
    ackDueAt: { type: Date },
    spells: { type: [Schema.Types.Mixed], default: undefined },
    stoodDownBy: { type: String },
    assignedAt: { type: Date },
    acknowledgedAt: { type: Date },
    doneAt: { type: Date },
    stoodDownAt: { type: Date },
  },
  { collection: 'tasks', versionKey: false, timestamps: true },
);
schema.index({ incidentId: 1, status: 1 });
schema.index({ status: 1, ackDueAt: 1 });

export function taskModel(db: Connection): Model<TaskDoc> {
  return (db.models.Task as Model<TaskDoc> | undefined) ?? db.model<TaskDoc>('Task', schema);
}
