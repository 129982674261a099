import { startTelemetry } from '@lifeline/platform/telemetry';

// Telemetry first, so every later module's spans and trace propagation are live.
startTelemetry('lifeline-command-center');
void import('./app.js').then((m) => m.start());
