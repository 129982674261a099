import { startTelemetry } from '@lifeline/platform/telemetry';
startTelemetry('lifeline-incentives');
void import('./service.js').then((m) => m.start());
