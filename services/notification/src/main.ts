import { startTelemetry } from '@lifeline/platform/telemetry';
startTelemetry('lifeline-notification');
void import('./app.js').then((m) => m.start());
