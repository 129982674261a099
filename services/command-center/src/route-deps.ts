import type { Store } from 'express-rate-limit';
import type { Connection } from 'mongoose';
import type { StatusAnswer } from '@lifeline/contracts/http/command-center';
import type { NatsConnection, TokenVerifier } from '@lifeline/platform';
import type { Incidents } from './incidents';
import type { AuditLog } from './audit';
import type { Plans } from './plans';

/** What the HTTP routes (http.ts and review/routes.ts) are given: the command-center's clients and settings. */
export interface RouteDeps {
  incidents: Incidents;
  plans: Plans;
  /** The hash-chained audit log (src/audit.ts). */
  audit: AuditLog;
  /** The command-center's store (the review keeps its reports and acceptances there). */
  db: Connection;
  /** Where the limit on changes counts (shared by every replica: src/rate-limit.ts). */
  rateStore: Store;
  nc: NatsConnection;
  /** Who a bearer token belongs to (development or OIDC tokens: @lifeline/platform identity). */
  verifier: TokenVerifier;
  temporalUiUrl: string;
  /** Jaeger's query service (no trailing slash), when this stack's spans go there: incidents then link their trace. */
  tracesUrl?: string;
  /** The Temporal frontend, for clients opened beside the command-center's own (the review's history reader). */
  temporalAddress: string;
  namespace: string;
  /** Mutating requests one caller (token subject) may make per minute. */
  mutationsPerMinute: number;
  /** How often the live stream re-reads the incident's status. */
  livePollMs: number;
  health: () => Promise<Record<string, boolean>>;
  /** Every part of the running system (services pinged over NATS, the worker's polling), for `/v1/status`. */
  status: () => Promise<StatusAnswer>;
}
