import { startTelemetry } from '@lifeline/platform/telemetry';
startTelemetry('lifeline-notification');
void import('./service.js').then((m) => m.start());
