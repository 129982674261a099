import { Schema, type Connection, type Model } from 'mongoose';
import type { personnelContract } from '@lifeline/contracts';
import type { Spell } from '../domain/transitions';

/** An event a task change publishes: which contract event, its deterministic id, and which view of the task. */
export interface TaskEvent {
  name: 'assigned' | 'acknowledged' | 'started' | 'completed' | 'declined' | 'timedOut' | 'unassigned' | 'stoodDown';
  id: string;
  /** The task as published (contract `Task`). */
  task: Record<string, unknown>;
}

/** What revision `rev` still owes once stored: its events, the claims it ends, the owner it messages. */
export interface OwedEffects {
  rev: number;
  events: TaskEvent[];
  /** People whose claim on this task ends; `['*']` = every claim of the task. */
  release: string[];
  notify?: string;
}

/**
 * One task with exactly one owner (专人专事). `_id` is the task id, derived from the dispatch's idempotency
 * key. `rev` counts the task's changes: each is one update guarded by `{_id, rev}` (atomic on both stores), so
 * replicas never apply two changes to the same revision. The change writes the effects it owes into `outbox`
 * in the same update; they are carried out afterwards and cleared, or replayed by the sweeper (see README).
 * `assigning` is only ever true on tasks the previous version created before their first owner decision.
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
  /** Effects of stored changes not yet confirmed carried out, oldest first. */
  outbox?: OwedEffects[];
  /** True while `outbox` holds anything: the sweeper finds interrupted changes by this indexed equality. */
  owing?: boolean;
  /** True while an owner's service-kept deadline runs (assigned, with `ackDueAt`): the sweeper's indexed work list. */
  awaitingAck?: boolean;
  updatedAt?: Date;
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
    outbox: { type: [Schema.Types.Mixed], default: undefined },
    owing: { type: Boolean },
    awaitingAck: { type: Boolean },
  },
  { collection: 'tasks', versionKey: false, timestamps: true },
);
schema.index({ incidentId: 1, status: 1 });
// The sweeper's two filters start with a boolean equality, the one the local store reads from an index (a range on
// `ackDueAt` alone would scan every task); MongoDB also uses the second field.
schema.index({ awaitingAck: 1, ackDueAt: 1 });
schema.index({ owing: 1 });

export function taskModel(db: Connection): Model<TaskDoc> {
  return (db.models.Task as Model<TaskDoc> | undefined) ?? db.model<TaskDoc>('Task', schema);
}
