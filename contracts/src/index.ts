/** @lifeline/contracts — every message, subject, HTTP body and plan document, as zod schemas with inferred types. */
export * from './common';
export * from './errors';
export * from './define';
export * from './inbound';
export * from './plan';
export * from './incident';
export * as suppliesContract from './services/supplies';
export * as personnelContract from './services/personnel';
export * as notificationContract from './services/notification';
export * as incentivesContract from './services/incentives';
export { supplies, suppliesEvents } from './services/supplies';
export { personnel, personnelEvents } from './services/personnel';
export { notification, notificationEvents, BROADCAST_BATCH_SUBJECT, BroadcastBatch, JOBS_PER_QUERY } from './services/notification';
export { incentives, incentivesEvents } from './services/incentives';
export { ALL_ENDPOINTS, ALL_EVENTS } from './catalog';
export * from './roles';
export * from './review';
export * from './workflow';
