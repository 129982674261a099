import { Schema, type Connection } from 'mongoose';
import type { Area, Severity } from '@lifeline/contracts';

/** The incident index: what was started, by whom, with which pinned plan version. The workflow holds the rest. */
export interface IncidentRecord {
  incidentId: string;
  workflowId: string;
  /** The caller's Idempotency-Key, or `auto:<incidentId>` when none was sent. */
  idempotencyKey: string;
  planId: string;
  planVersion: number;
  severity: Severity;
  title: string;
  drill: boolean;
  area: Area;
  requestedBy: string;
  createdAt: Date;
  /** The OpenTelemetry trace of the request that started it (its HTTP span is the trace's root), for the trace link. */
  traceId?: string;
  /** Set when a stand-down was accepted: the workflow then completes normally, but the incident was cancelled. */
  stoodDownAt?: Date;
}

const schema = new Schema<IncidentRecord>(
  {
    incidentId: { type: String, required: true, unique: true },
    workflowId: { type: String, required: true },
    idempotencyKey: { type: String, required: true, unique: true },
    planId: { type: String, required: true },
    planVersion: { type: Number, required: true },
    severity: { type: String, required: true },
    title: { type: String, required: true },
    drill: { type: Boolean, required: true },
    area: { type: Schema.Types.Mixed, required: true },
    requestedBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    traceId: { type: String, required: false },
    stoodDownAt: { type: Date, required: false },
  },
  { versionKey: false, minimize: false },
);

export const incidentModel = (db: Connection) => db.model<IncidentRecord>('Incident', schema, 'incidents');
