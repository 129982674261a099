import { Schema, type Connection, type Model } from 'mongoose';
import { LifelineError } from '@lifeline/contracts';
import type { EntryKind } from '../domain/ledger';

/** One ledger entry: append-only, hash-chained per participant. */
export interface EntryDoc {
  _id: string;
  participantId: string;
  seq: number;
  kind: EntryKind;
  points: number;
  balance: number;
  cause: string;
  incidentId?: string;
  communityId?: string;
  /** The work day (Asia/Shanghai date) a task award counts against for daily caps. */
  day?: string;
  /** For a task award: task points and hours of the participant on `day`, this entry included (not hashed). */
  dayEarned?: number;
  dayHours?: number;
  /** Cash allowance granted with the award (not points, not hashed). */
  allowanceCny?: number;
  prevHash: string;
  hash: string;
  idempotencyKey: string;
  /** How the points were computed (not hashed: the audit trail, not the fact). */
  basis?: Record<string, unknown> & { participantType?: string; hours?: number };
  createdAt: Date;
}

const schema = new Schema<EntryDoc>(
  {
    _id: { type: String, required: true },
    participantId: { type: String, required: true },
    seq: { type: Number, required: true },
    kind: { type: String, required: true, enum: ['award', 'redeem', 'reverse'] },
    points: { type: Number, required: true },
    balance: { type: Number, required: true, min: 0 },
    cause: { type: String, required: true },
    incidentId: { type: String },
    communityId: { type: String },
    day: { type: String },
    dayEarned: { type: Number },
    dayHours: { type: Number },
    allowanceCny: { type: Number },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    basis: { type: Schema.Types.Mixed },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// Each cause is credited once; two appends cannot both take the same seq; a command key names one entry.
schema.index({ cause: 1 }, { unique: true });
schema.index({ participantId: 1, seq: 1 }, { unique: true });
schema.index({ idempotencyKey: 1 }, { unique: true });
schema.index({ incidentId: 1 });
schema.index({ communityId: 1 });

const appendOnly = () => {
  throw new LifelineError('internal', 'ledger entries are append-only');
};
schema.pre(['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'], appendOnly);

/** The collections kept as hash-chained ledgers: participants' points, and catalogue stock per item. */
export const LEDGERS = { points: { model: 'LedgerEntry', collection: 'ledger_entries' }, stock: { model: 'StockMovement', collection: 'stock_movements' } } as const;
export type LedgerName = keyof typeof LEDGERS;

export function ledgerEntryModel(db: Connection, ledger: LedgerName = 'points'): Model<EntryDoc> {
  const { model, collection } = LEDGERS[ledger];
  return (db.models[model] as Model<EntryDoc> | undefined) ?? db.model<EntryDoc>(model, schema, collection);
}
