import { Schema, type Connection, type Model } from 'mongoose';

/** An event a transition publishes: which contract event, its deterministic id, and which view of the task. */
export interface TransitionEvent {
  name: 'assigned' | 'acknowledged' | 'started' | 'completed' | 'declined' | 'timedOut' | 'unassigned' | 'stoodDown';
  id: string;
  /** The task as published (contract `Task`). */
  task: Record<string, unknown>;
}

/**
 * Revision `rev` of a task: claimed by inserting `_id = <taskId>#<rev>` (unique, so exactly one change per
 * revision wins, across replicas), holding the fields it sets and the effects to carry out afterwards
 * (events, claims to release, the owner to notify). `settled` turns true once the effects are done; the
 * sweeper replays unsettled ones after a crash.
 */
export interface TransitionDoc {
  _id: string;
  taskId: string;
  rev: number;
  set: Record<string, unknown>;
  events: TransitionEvent[];
  /** People whose claim on this task ends; `['*']` = every claim of the task. */
  release: string[];
  notify?: string | null;
  /** The task's acknowledgement deadline after this change: set, cleared (null) or unchanged (absent). */
  deadline?: { dueAt: Date; ownerId: string } | null;
  settled: boolean;
  createdAt?: Date;
}

const schema = new Schema<TransitionDoc>(
  {
    _id: { type: String, required: true },
    taskId: { type: String, required: true },
    rev: { type: Number, required: true },
    set: { type: Schema.Types.Mixed, required: true },
    events: { type: Schema.Types.Mixed, default: undefined },
    release: { type: [String], default: undefined },
    notify: { type: String },
    deadline: { type: Schema.Types.Mixed },
    settled: { type: Boolean, required: true },
  },
  { collection: 'task_transitions', versionKey: false, timestamps: true, minimize: false },
);
schema.index({ settled: 1 });

export const transitionIdOf = (taskId: string, rev: number) => `${taskId}#${rev}`;

export function transitionModel(db: Connection): Model<TransitionDoc> {
  return (db.models.TaskTransition as Model<TransitionDoc> | undefined) ?? db.model<TransitionDoc>('TaskTransition', schema);
}
