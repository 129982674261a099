import { Schema, type Connection, type Model } from 'mongoose';
import { modelOf } from './records';

/**
 * A task personnel reported completed, as the service saw it on the `task-completed` event: the only
 * source of task awards. `_id` is the task id, so a redelivered or replayed event cannot add a second one.
 */
export interface CompletionDoc {
  _id: string;
  incidentId: string;
  communityId: string;
  ownerId: string;
  role: string;
  skill?: string;
  hours: number;
  drill: boolean;
  severity?: string;
  /** The event's time: when personnel recorded the completion. */
  completedAt: Date;
  /** The event id it came from. */
  eventId: string;
}

const schema = new Schema<CompletionDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    communityId: { type: String, required: true },
    ownerId: { type: String, required: true },
    role: { type: String, required: true },
    skill: { type: String },
    hours: { type: Number, required: true },
    drill: { type: Boolean, required: true },
    severity: { type: String },
    completedAt: { type: Date, required: true },
    eventId: { type: String, required: true },
  },
  { collection: 'completions', versionKey: false },
);
schema.index({ incidentId: 1 });

/** When a task was first assigned (its earliest `task-assigned` event): the start of the work it can pay for. */
export interface AssignmentDoc {
  _id: string;
  incidentId: string;
  assignedAt: Date;
}
const assignmentSchema = new Schema<AssignmentDoc>(
  { _id: { type: String, required: true }, incidentId: { type: String, required: true }, assignedAt: { type: Date, required: true } },
  { collection: 'assignments', versionKey: false },
);

/** What the service knows of an incident: when it first saw work for it, and its severity once a caller named it. */
export interface IncidentDoc {
  _id: string;
  firstSeenAt: Date;
  severity?: string;
}
const incidentSchema = new Schema<IncidentDoc>(
  { _id: { type: String, required: true }, firstSeenAt: { type: Date, required: true }, severity: { type: String } },
  { collection: 'incidents', versionKey: false },
);

export const completionModel = (db: Connection): Model<CompletionDoc> => modelOf(db, 'Completion', schema);
export const assignmentModel = (db: Connection): Model<AssignmentDoc> => modelOf(db, 'Assignment', assignmentSchema);
export const incidentModel = (db: Connection): Model<IncidentDoc> => modelOf(db, 'Incident', incidentSchema);
