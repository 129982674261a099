import { Schema, type Connection, type Model } from 'mongoose';
import type { suppliesContract } from '@lifeline/contracts';

type Transfer = suppliesContract.Transfer;
type DonationRequest = suppliesContract.DonationRequest;
type Enterprise = suppliesContract.Enterprise;

export type EnterpriseDoc = Omit<Enterprise, 'id'> & { _id: string };
export type TransferDoc = Omit<Transfer, 'transferId'> & { _id: string; sourceLot?: { source: string; expiresOn?: string } };
export type DonationDoc = Omit<DonationRequest, 'donationId'> & { _id: string; districtId?: string };
/** The cover proposed for one reservation's shortfall, written once (unique `_id`) so a retry proposes the same. */
export interface CoverPlanDoc {
  _id: string;
  reservationId: string;
  transfers: TransferDoc[];
  donations: DonationDoc[];
  at: Date;
}
/** Who moved a transfer or donation out of a status: `_id` = `<id>:<from>`, so exactly one update can. */
export interface StatusClaimDoc {
  _id: string;
  idempotencyKey: string;
  to: string;
  at: Date;
}

const loose = { strict: false, versionKey: false } as const;
const enterpriseSchema = new Schema<EnterpriseDoc>({ _id: { type: String, required: true } }, { ...loose, collection: 'enterprises' });
const transferSchema = new Schema<TransferDoc>({ _id: { type: String, required: true }, incidentId: { type: String, index: true } }, { ...loose, collection: 'transfers' });
const donationSchema = new Schema<DonationDoc>({ _id: { type: String, required: true }, incidentId: { type: String, index: true } }, { ...loose, collection: 'donations' });
const planSchema = new Schema<CoverPlanDoc>({ _id: { type: String, required: true } }, { ...loose, collection: 'coverplans' });
const claimSchema = new Schema<StatusClaimDoc>({ _id: { type: String, required: true } }, { ...loose, collection: 'coverclaims' });

const model = <T>(db: Connection, name: string, schema: Schema<T>): Model<T> => (db.models[name] as Model<T> | undefined) ?? db.model<T>(name, schema);
export const enterpriseModel = (db: Connection) => model(db, 'Enterprise', enterpriseSchema);
export const transferModel = (db: Connection) => model(db, 'Transfer', transferSchema);
export const donationModel = (db: Connection) => model(db, 'Donation', donationSchema);
export const coverPlanModel = (db: Connection) => model(db, 'CoverPlan', planSchema);
export const coverClaimModel = (db: Connection) => model(db, 'CoverClaim', claimSchema);

export const toTransfer = ({ _id, sourceLot: _source, ...t }: TransferDoc): Transfer => ({ transferId: _id, ...t });
export const toDonation = ({ _id, districtId: _district, ...d }: DonationDoc): DonationRequest => ({ donationId: _id, ...d });
