import { startTelemetry } from '@lifeline/platform/telemetry';

startTelemetry('lifeline-supplies');
void import('./service.js').then((m) => m.start());
