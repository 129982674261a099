import { startTelemetry } from '@lifeline/platform/telemetry';

// Telemetry first, so every later module's spans and trace propagation are live.
startTelemetry('lifeline-command-center');
void import('./server.js').then((m) => m.start());
