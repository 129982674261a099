/** @lifeline/platform — the one logger, config loader, NATS helper, store helper and service runtime. */
export * from './config';
export * from './logger';
export * from './nats';
export * from './streams';
export * from './consumer';
export * from './mongo';
export * from './pii';
export * from './serve';
export * from './http';
export * from './runtime';
export * from './health';
export * from './identity';
export { METRIC_NAMES, INCIDENT_PHASES, observeIncidentPhases, observeOpenBroadcasts, recordBroadcastOutcomes, recordRequest, recordEvent, watchConsumerLag, type ConsumerLag } from './telemetry-metrics';
export { startTelemetry, stopTelemetry, metricsHandler, inSpan, injectTrace, extractTrace, activeTrace, tracer } from './telemetry';
