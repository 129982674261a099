import { startTelemetry } from '@lifeline/platform/telemetry';
startTelemetry('lifeline-incentives');
void import('./app.js').then((m) => m.start());
