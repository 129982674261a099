import { Schema, type Connection, type Model } from 'mongoose';

/**
 * The current acknowledgement deadline of a task (`_id` = task id), kept apart from the tasks so the sweeper
 * reads a small collection (its range filter on `dueAt` is a scan on the local store). Written by the
 * effects of the transition that set it, removed by the one that ended it; the task stays the source of truth.
 */
export interface DeadlineDoc {
  _id: string;
  dueAt: Date;
  ownerId: string;
  rev: number;
}

const schema = new Schema<DeadlineDoc>(
  {
    _id: { type: String, required: true },
    dueAt: { type: Date, required: true },
    ownerId: { type: String, required: true },
    rev: { type: Number, required: true },
  },
  { collection: 'ack_deadlines', versionKey: false },
);

export function deadlineModel(db: Connection): Model<DeadlineDoc> {
  return (db.models.AckDeadline as Model<DeadlineDoc> | undefined) ?? db.model<DeadlineDoc>('AckDeadline', schema);
}
