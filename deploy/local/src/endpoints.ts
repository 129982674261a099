import type { StackSecrets } from './secrets';

/** Where a running stack answers, and the secrets its processes share. */
export interface StackEndpoints {
  /** e.g. `nats://127.0.0.1:4222` */
  natsUrl: string;
  /** NATS monitoring base URL (`/varz`, `/connz`). */
  natsMonitorUrl: string;
  /** Temporal frontend `host:port`. */
  temporalAddress: string;
  temporalNamespace: string;
  temporalUiUrl: string;
  /** The codec endpoint the Temporal UI decodes payloads with (`<base>/decode`), e.g. `http://127.0.0.1:8089/codec`. */
  codecUrl: string;
  /** e.g. `mongodb://127.0.0.1:27017` (each service picks its own database). */
  mongoUrl: string;
  /** command-center HTTP API and console. */
  httpUrl: string;
  /** With tracing on: Jaeger's query service (HTTP API `/api/traces/<traceId>`, UI), e.g. `http://127.0.0.1:16686`. */
  tracesUrl?: string;
  /** With tracing on: where processes send spans (`OTEL_EXPORTER_OTLP_ENDPOINT`), e.g. `http://127.0.0.1:4318`. */
  otlpUrl?: string;
  secrets: StackSecrets;
}
