import { Schema, type Connection, type Model } from 'mongoose';
import type { AcceptProposalsResult, AfterActionReport } from '@lifeline/contracts';

/** A report as first produced: `_id` is the incident id, so the first insert wins and it never changes. */
export interface StoredReport {
  _id: string;
  report: AfterActionReport;
  createdAt: Date;
}

/** One accept of a set of proposals: `_id` is `<incidentId>:<sorted proposal ids>`, claimed before the plan version is written. */
export interface StoredAcceptance {
  _id: string;
  incidentId: string;
  proposalIds: string[];
  claimedAt: Date;
  result?: AcceptProposalsResult;
}

const reportSchema = new Schema<StoredReport>({ _id: String, report: { type: Schema.Types.Mixed, required: true }, createdAt: { type: Date, required: true } }, { versionKey: false, minimize: false });
const acceptanceSchema = new Schema<StoredAcceptance>(
  { _id: String, incidentId: { type: String, required: true }, proposalIds: [String], claimedAt: { type: Date, required: true }, result: Schema.Types.Mixed },
  { versionKey: false, minimize: false },
);

export const reportModel = (db: Connection): Model<StoredReport> =>
  (db.models.ReviewReport as Model<StoredReport> | undefined) ?? db.model<StoredReport>('ReviewReport', reportSchema, 'review_reports');
export const acceptanceModel = (db: Connection): Model<StoredAcceptance> =>
  (db.models.ReviewAcceptance as Model<StoredAcceptance> | undefined) ?? db.model<StoredAcceptance>('ReviewAcceptance', acceptanceSchema, 'review_acceptances');
