import { Schema, type Connection, type Model } from 'mongoose';

/** A resident's subscription to an area's bulletins: `_id` = `${communityId}:${residentId}`. */
export interface SubscriptionDoc {
  _id: string;
  communityId: string;
  residentId: string;
  subscribed: boolean;
  updatedAt: Date;
}

const subscriptionSchema = new Schema<SubscriptionDoc>(
  { _id: { type: String, required: true }, communityId: { type: String, required: true }, residentId: { type: String, required: true }, subscribed: Boolean, updatedAt: Date },
  { collection: 'subscriptions', versionKey: false },
);
subscriptionSchema.index({ communityId: 1 });

export function subscriptionModel(db: Connection): Model<SubscriptionDoc> {
  return (db.models.Subscription as Model<SubscriptionDoc> | undefined) ?? db.model<SubscriptionDoc>('Subscription', subscriptionSchema);
}

/** An official bulletin or rumour rebuttal, one per idempotency key, pushed through a broadcast job. */
export interface BulletinDoc {
  _id: string;
  idempotencyKey: string;
  incidentId: string;
  communityId: string;
  kind: 'bulletin' | 'rumour-rebuttal';
  jobId: string;
  subscribers: number;
  createdAt: Date;
}

const bulletinSchema = new Schema<BulletinDoc>(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    incidentId: { type: String, required: true },
    communityId: { type: String, required: true },
    kind: { type: String, required: true },
    jobId: { type: String, required: true },
    subscribers: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'bulletins', versionKey: false },
);
bulletinSchema.index({ idempotencyKey: 1 }, { unique: true });
bulletinSchema.index({ incidentId: 1 });

export function bulletinModel(db: Connection): Model<BulletinDoc> {
  return (db.models.Bulletin as Model<BulletinDoc> | undefined) ?? db.model<BulletinDoc>('Bulletin', bulletinSchema);
}
