import { Schema, type Connection, type Model } from 'mongoose';

/**
 * How one batch of a job went, inserted once under `${jobId}:${batch}`: the unique key is what keeps a redelivered
 * batch from being counted twice. Insert-only, because the store (FerretDB 1.24) applies concurrent updates to one
 * document as read-modify-write and loses some of them (see README); a job's progress is the sum of its results.
 */
export interface ResultDoc {
  _id: string;
  jobId: string;
  batch: number;
  sent: number;
  failed: number;
  duplicatesSkipped: number;
  frequencyCapped?: number;
  fallbacks?: number;
  /** Sent and failed per channel (the channel of each resident's final attempt). */
  byChannel?: Record<string, { sent: number; failed: number }>;
  createdAt: Date;
}

const schema = new Schema<ResultDoc>(
  {
    _id: { type: String, required: true },
    jobId: { type: String, required: true },
    batch: { type: Number, required: true },
    sent: { type: Number, required: true },
    failed: { type: Number, required: true },
    duplicatesSkipped: { type: Number, required: true },
    frequencyCapped: { type: Number },
    fallbacks: { type: Number },
    byChannel: { type: Schema.Types.Mixed },
    createdAt: { type: Date, required: true },
  },
  { collection: 'broadcast_batch_results', versionKey: false },
);
schema.index({ jobId: 1 });

export function resultModel(db: Connection): Model<ResultDoc> {
  return (db.models.BroadcastBatchResult as Model<ResultDoc> | undefined) ?? db.model<ResultDoc>('BroadcastBatchResult', schema);
}
