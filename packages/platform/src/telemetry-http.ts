import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { extractTrace, tracer } from './telemetry';
import { recordHttpRequest } from './telemetry-metrics';

/**
 * A SERVER span per HTTP request, parented on an incoming `traceparent` (or starting the trace), active while the
 * route runs so everything it calls (Temporal client, NATS, store) joins the request's trace. Named after the
 * matched route (`POST /v1/incidents`), never the raw path (ids stay out of span names).
 * Mount after the body parser: the route then runs synchronously inside the span's context.
 * Each answered request is also counted and timed (`lifeline.http.server.duration`, by method, route and status).
 */
export function httpTracing(): RequestHandler {
  return (req, res, next) => {
    const parent = extractTrace((key) => req.header(key) ?? undefined);
    const span = tracer().startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    const started = performance.now();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      recordHttpRequest(req.method, route ? `${req.baseUrl}${route}` : undefined, res.statusCode, performance.now() - started);
      const name = route ? `${req.method} ${req.baseUrl}${route}` : req.method;
      span.updateName(name);
      if (route) span.setAttribute('http.route', `${req.baseUrl}${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
