import { Schema, type Connection, type Model } from 'mongoose';
import type { TaskEvent } from './task';

/**
 * What the previous version of the task desk kept beside the tasks, read only so the sweeper can settle what a
 * running deployment may still hold; nothing writes new documents here.
 *
 * `task_transitions/<taskId>#<rev>`: a revision claimed by a unique insert, then applied to the task. One left
 * `settled: false` was interrupted by a crash: claimed but maybe not applied, its effects maybe not carried out.
 */
export interface LegacyTransitionDoc {
  _id: string;
  taskId: string;
  rev: number;
  set: Record<string, unknown>;
  events?: TaskEvent[];
  release?: string[];
  notify?: string | null;
  settled: boolean;
}

const transitionSchema = new Schema<LegacyTransitionDoc>(
  {
    _id: { type: String, required: true },
    taskId: { type: String, required: true },
    rev: { type: Number, required: true },
    set: { type: Schema.Types.Mixed, required: true },
    events: { type: Schema.Types.Mixed, default: undefined },
    release: { type: [String], default: undefined },
    notify: { type: String },
    settled: { type: Boolean, required: true },
  },
  { collection: 'task_transitions', versionKey: false, timestamps: true, minimize: false },
);
// `{settled: false}` is read from this index (the collection holds every change the previous version made).
transitionSchema.index({ settled: 1 });

/** `ack_deadlines/<taskId>`: the previous version's copy of a running deadline (now the task's `awaitingAck`). */
export interface LegacyDeadlineDoc {
  _id: string;
  dueAt: Date;
  ownerId: string;
}

const deadlineSchema = new Schema<LegacyDeadlineDoc>(
  {
    _id: { type: String, required: true },
    dueAt: { type: Date, required: true },
    ownerId: { type: String, required: true },
  },
  { collection: 'ack_deadlines', versionKey: false },
);

export interface LegacyModels {
  transitions: Model<LegacyTransitionDoc>;
  deadlines: Model<LegacyDeadlineDoc>;
}

export function legacyModels(db: Connection): LegacyModels {
  return {
    transitions: (db.models.TaskTransition as Model<LegacyTransitionDoc> | undefined) ?? db.model<LegacyTransitionDoc>('TaskTransition', transitionSchema),
    deadlines: (db.models.AckDeadline as Model<LegacyDeadlineDoc> | undefined) ?? db.model<LegacyDeadlineDoc>('AckDeadline', deadlineSchema),
  };
}
