import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A broadcast job: one per idempotency key. While open, its figures are summed from its page tallies
 * (`broadcast_tallies`); the figures here are final once completed.
 */
export interface JobDoc {
  _id: string;
  idempotencyKey: string;
  incidentId: string;
  stepId: string;
  communityId: string;
  groups: string[];
  gridIds?: string[];
  buildingIds?: string[];
  channels: string[];
  message: { zh: string; en: string };
  severity: string;
  drill: boolean;
  status: 'queued' | 'sending' | 'completed';
  /** Recipients: counted by the cut from the audience index, then corrected by what the sender found on each page. */
  total: number;
  /** The cut's count (the total before corrections). */
  queuedTotal?: number;
  sent: number;
  failed: number;
  duplicatesSkipped: number;
  /** Audience pages queued (work items), and how many of them hold vulnerable residents (queued first). */
  pages: number;
  vulnerablePages: number;
  /** Pages counted (written with the final figures; while open, see broadcast_tallies). */
  pagesDone?: number;
  /** True once every page is on the work stream; a retried broadcast before that re-publishes (deduplicated). */
  published: boolean;
  /** False until the audience is cut and queued; absent on jobs cut before streaming. */
  audienceResolved?: boolean;
  /** When the last batch was on the work stream (the audience cut and queued). */
  queuedAt?: Date;
  contactCap?: { max: number; windowMinutes: number };
  escalated?: boolean;
  confirmWithinMinutes?: number;
  /** Seconds predicted to reach everyone at the primary channel's rate, when the job was cut. */
  predictedSeconds?: number;
  frequencyCapped?: number;
  fallbacks?: number;
  byChannel?: Record<string, { sent: number; failed: number }>;
  /** Seconds from `createdAt` until 50 / 90 / 100 % of recipients were settled (final figures). */
  timeToReach?: { p50: number; p90: number; p100: number };
  createdAt: Date;
  completedAt?: Date;
}

const schema = new Schema<JobDoc>(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    incidentId: { type: String, required: true },
    stepId: { type: String, required: true },
    communityId: { type: String, required: true },
    groups: { type: [String], required: true },
    gridIds: { type: [String], default: undefined },
    buildingIds: { type: [String], default: undefined },
    channels: { type: [String], required: true },
    message: { zh: { type: String, required: true }, en: { type: String, required: true } },
    severity: { type: String, required: true },
    drill: { type: Boolean, required: true },
    status: { type: String, required: true, enum: ['queued', 'sending', 'completed'] },
    total: { type: Number, required: true },
    queuedTotal: { type: Number },
    sent: { type: Number, required: true },
    failed: { type: Number, required: true },
    duplicatesSkipped: { type: Number, required: true },
    pages: { type: Number, required: true },
    vulnerablePages: { type: Number, required: true },
    pagesDone: { type: Number },
    published: { type: Boolean, required: true },
    audienceResolved: { type: Boolean },
    queuedAt: { type: Date },
    contactCap: { type: Schema.Types.Mixed },
    escalated: { type: Boolean },
    confirmWithinMinutes: { type: Number },
    predictedSeconds: { type: Number },
    frequencyCapped: { type: Number },
    fallbacks: { type: Number },
    byChannel: { type: Schema.Types.Mixed },
    timeToReach: { type: Schema.Types.Mixed },
    createdAt: { type: Date, required: true },
    completedAt: { type: Date },
  },
  { collection: 'broadcast_jobs', versionKey: false },
);
schema.index({ idempotencyKey: 1 }, { unique: true });
schema.index({ incidentId: 1 });
// The open-jobs gauge (lifeline.broadcast.jobs.open) counts `{status: 'queued'}` at each scrape: by this index 10 ms
// over 5,000 jobs on the local store, 320 ms by scan.
schema.index({ status: 1 });

export function jobModel(db: Connection): Model<JobDoc> {
  return (db.models.BroadcastJob as Model<JobDoc> | undefined) ?? db.model<JobDoc>('BroadcastJob', schema);
}
