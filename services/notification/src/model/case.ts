import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A resident's need routed to their grid. `_id` is the case id, which is also the personnel task's `stepId`, so a
 * `task-completed` event finds its case by primary key.
 */
export interface CaseDoc {
  _id: string;
  incidentId: string;
  residentId: string;
  communityId: string;
  gridId: string;
  buildingId: string;
  category: string;
  severity: string;
  drill: boolean;
  replyId: string;
  status: 'open' | 'dispatched' | 'closed';
  taskId?: string;
  answerMessageId?: string;
  openedAt: Date;
  closedAt?: Date;
}

const schema = new Schema<CaseDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    residentId: { type: String, required: true },
    communityId: { type: String, required: true },
    gridId: { type: String, required: true },
    buildingId: { type: String, required: true },
    category: { type: String, required: true },
    severity: { type: String, required: true },
    drill: { type: Boolean, required: true },
    replyId: { type: String, required: true },
    status: { type: String, required: true, enum: ['open', 'dispatched', 'closed'] },
    taskId: String,
    answerMessageId: String,
    openedAt: { type: Date, required: true },
    closedAt: Date,
  },
  { collection: 'cases', versionKey: false },
);
schema.index({ incidentId: 1 });

export function caseModel(db: Connection): Model<CaseDoc> {
  return (db.models.Case as Model<CaseDoc> | undefined) ?? db.model<CaseDoc>('Case', schema);
}
