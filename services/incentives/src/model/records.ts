import { Schema, type Connection, type Model } from 'mongoose';

/** A fraud check's finding; `_id` is deterministic for the finding, so a repeat raises it once. */
export interface FlagDoc {
  _id: string;
  kind: string;
  incidentId?: string;
  participantId?: string;
  taskId?: string;
  message: string;
  details?: Record<string, unknown>;
  raisedAt: Date;
}
const flagSchema = new Schema<FlagDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    incidentId: { type: String },
    participantId: { type: String },
    taskId: { type: String },
    message: { type: String, required: true },
    details: { type: Schema.Types.Mixed },
    raisedAt: { type: Date, required: true },
  },
  { collection: 'flags', versionKey: false },
);
flagSchema.index({ incidentId: 1 });

/** An operator's action on the ledger (manual award, confirmed honour): who, why, which entry. Append-only. */
export interface AuditDoc {
  _id: string;
  action: 'manual-award' | 'confirm-honour';
  operatorId: string;
  reason: string;
  participantId: string;
  incidentId?: string;
  entryId: string;
  points: number;
  at: Date;
}
const auditSchema = new Schema<AuditDoc>(
  {
    _id: { type: String, required: true },
    action: { type: String, required: true },
    operatorId: { type: String, required: true },
    reason: { type: String, required: true },
    participantId: { type: String, required: true },
    incidentId: { type: String },
    entryId: { type: String, required: true },
    points: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'audit_entries', versionKey: false },
);

/** A catalogue item; its stock is the balance of its own chain in `stock_movements`. */
export interface ItemDoc {
  _id: string;
  title: { zh: string; en: string };
  points: number;
}
const itemSchema = new Schema<ItemDoc>(
  { _id: { type: String, required: true }, title: { zh: String, en: String }, points: { type: Number, required: true } },
  { collection: 'catalogue_items', versionKey: false },
);

/** A redemption: claimed by its id (from the idempotency key), then stock taken and points debited by cause. */
export interface RedemptionDoc {
  _id: string;
  idempotencyKey: string;
  participantId: string;
  itemId: string;
  quantity: number;
  points: number;
  status: 'pending' | 'redeemed' | 'refused';
  refusal?: { code: string; message: string };
  createdAt: Date;
}
const redemptionSchema = new Schema<RedemptionDoc>(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    participantId: { type: String, required: true },
    itemId: { type: String, required: true },
    quantity: { type: Number, required: true },
    points: { type: Number, required: true },
    status: { type: String, required: true },
    refusal: { type: Schema.Types.Mixed },
    createdAt: { type: Date, required: true },
  },
  { collection: 'redemptions', versionKey: false },
);

/** An honour candidate proposed for an incident (`_id` = incident:kind:participant); confirmation needs one. */
export interface ProposalDoc {
  _id: string;
  incidentId: string;
  kind: string;
  participantId: string;
  participantType: string;
  score: number;
  proposedAt: Date;
}
const proposalSchema = new Schema<ProposalDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    kind: { type: String, required: true },
    participantId: { type: String, required: true },
    participantType: { type: String, required: true },
    score: { type: Number, required: true },
    proposedAt: { type: Date, required: true },
  },
  { collection: 'honour_proposals', versionKey: false },
);

/** A confirmed honour (`_id` = incident:kind:participant): confirmed once, its points credited once. */
export interface HonourDoc {
  _id: string;
  incidentId: string;
  kind: string;
  participantId: string;
  operatorId: string;
  citation: string;
  entryId: string;
  confirmedAt: Date;
}
const honourSchema = new Schema<HonourDoc>(
  {
    _id: { type: String, required: true },
    incidentId: { type: String, required: true },
    kind: { type: String, required: true },
    participantId: { type: String, required: true },
    operatorId: { type: String, required: true },
    citation: { type: String, required: true },
    entryId: { type: String, required: true },
    confirmedAt: { type: Date, required: true },
  },
  { collection: 'honours', versionKey: false },
);
honourSchema.index({ incidentId: 1 });

/** The connection's model of that name, registered on first use. */
export function modelOf<T>(db: Connection, name: string, schema: Schema<T>): Model<T> {
  return (db.models[name] as Model<T> | undefined) ?? db.model<T>(name, schema);
}

export const flagModel = (db: Connection) => modelOf(db, 'Flag', flagSchema);
export const auditModel = (db: Connection) => modelOf(db, 'Audit', auditSchema);
export const itemModel = (db: Connection) => modelOf(db, 'CatalogueItem', itemSchema);
export const redemptionModel = (db: Connection) => modelOf(db, 'Redemption', redemptionSchema);
export const proposalModel = (db: Connection) => modelOf(db, 'HonourProposal', proposalSchema);
export const honourModel = (db: Connection) => modelOf(db, 'Honour', honourSchema);
