import { Schema, type Connection, type Model } from 'mongoose';

/** An open call for volunteers (`_id` derived from its idempotency key); invitees fixed when it opens. */
export interface SurgeCallDoc {
  _id: string;
  idempotencyKey: string;
  incidentId: string;
  communityIds: string[];
  skill?: string;
  quota: number;
  invited: string[];
  drill: boolean;
}

/** A volunteer's answer (`<callId>/<personId>`, one per person) and, for an accepted one, its seat. */
export interface SurgeAnswerDoc {
  _id: string;
  callId: string;
  incidentId: string;
  personId: string;
  answer: 'accept' | 'decline';
  skill?: string;
}

/** A seat of the quota (`<callId>#<n>`, n = 1..quota): a unique insert, so the quota is never exceeded. */
export interface SurgeSeatDoc {
  _id: string;
  callId: string;
  incidentId: string;
  personId: string;
  skill?: string;
}

const callSchema = new Schema<SurgeCallDoc>(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, required: true, unique: true },
    incidentId: { type: String, required: true },
    communityIds: { type: [String], required: true },
    skill: { type: String },
    quota: { type: Number, required: true },
    invited: { type: [String], default: undefined },
    drill: { type: Boolean, required: true },
  },
  { collection: 'surge_calls', versionKey: false, timestamps: true },
);

const answerSchema = new Schema<SurgeAnswerDoc>(
  {
    _id: { type: String, required: true },
    callId: { type: String, required: true, index: true },
    incidentId: { type: String, required: true },
    personId: { type: String, required: true },
    answer: { type: String, required: true },
    skill: { type: String },
  },
  { collection: 'surge_answers', versionKey: false, timestamps: true },
);

const seatSchema = new Schema<SurgeSeatDoc>(
  {
    _id: { type: String, required: true },
    callId: { type: String, required: true, index: true },
    incidentId: { type: String, required: true, index: true },
    personId: { type: String, required: true },
    skill: { type: String },
  },
  { collection: 'surge_seats', versionKey: false, timestamps: true },
);

export function surgeModels(db: Connection): { calls: Model<SurgeCallDoc>; answers: Model<SurgeAnswerDoc>; seats: Model<SurgeSeatDoc> } {
  return {
    calls: (db.models.SurgeCall as Model<SurgeCallDoc> | undefined) ?? db.model<SurgeCallDoc>('SurgeCall', callSchema),
    answers: (db.models.SurgeAnswer as Model<SurgeAnswerDoc> | undefined) ?? db.model<SurgeAnswerDoc>('SurgeAnswer', answerSchema),
    seats: (db.models.SurgeSeat as Model<SurgeSeatDoc> | undefined) ?? db.model<SurgeSeatDoc>('SurgeSeat', seatSchema),
  };
}
