import { startTelemetry } from '@lifeline/platform/telemetry';

startTelemetry('lifeline-supplies');
void import('./app.js').then((m) => m.start());
