import { Schema, type Connection, type Model } from 'mongoose';
import type { z } from 'zod';
import type { notificationContract } from '@lifeline/contracts';

/**
 * One call to the simulated gateway, `_id` = the call key (deterministic: a repeat of the call is recognised and
 * answered from here without transmitting again). No personal data: pseudonymous ids, answers and receipts.
 */
export interface GatewayCallDoc {
  _id: string;
  channel: string;
  sandbox: boolean;
  incidentId: string;
  /** The incident step a broadcast call was made for (absent for direct messages). */
  stepId?: string;
  /** The job, message or case the call was made for. */
  keyPrefix: string;
  /** Every resident the call reached or tried to, space-separated (one string: an array of 1,000 costs the store more). */
  recipients: string;
  /** The transmissions and their answers, one line each (see channels.ts `encodeTransmissions`). */
  transmissions: string;
  sent: number;
  failed: number;
  /** Repeats of the call (same key) answered from this record without transmitting again. */
  repeats?: number;
  at: Date;
}

const callSchema = new Schema<GatewayCallDoc>(
  {
    _id: { type: String, required: true },
    channel: String,
    sandbox: Boolean,
    incidentId: String,
    stepId: String,
    keyPrefix: String,
    recipients: String,
    transmissions: String,
    sent: Number,
    failed: Number,
    repeats: Number,
    at: Date,
  },
  { collection: 'gateway_calls', versionKey: false },
);
callSchema.index({ incidentId: 1 });

export function gatewayCallModel(db: Connection): Model<GatewayCallDoc> {
  return (db.models.GatewayCall as Model<GatewayCallDoc> | undefined) ?? db.model<GatewayCallDoc>('GatewayCall', callSchema);
}

export const SIMULATOR_SETTINGS_ID = 'simulator';

/** The simulated gateway's settings, one document every replica reads. */
export interface SimulatorSettingsDoc {
  _id: string;
  settings: z.infer<typeof notificationContract.SimulatorSettings>;
  updatedAt: Date;
}

const settingsSchema = new Schema<SimulatorSettingsDoc>(
  { _id: { type: String, required: true }, settings: { type: Schema.Types.Mixed, required: true }, updatedAt: Date },
  { collection: 'gateway_settings', versionKey: false },
);

export function simulatorSettingsModel(db: Connection): Model<SimulatorSettingsDoc> {
  return (db.models.SimulatorSettings as Model<SimulatorSettingsDoc> | undefined) ?? db.model<SimulatorSettingsDoc>('SimulatorSettings', settingsSchema);
}
