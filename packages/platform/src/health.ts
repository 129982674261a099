import type { Express } from 'express';

/** Named readiness checks: each resolves true when its dependency answers. */
export type HealthChecks = Record<string, () => Promise<boolean>>;

/**
 * `GET /healthz` (liveness: the event loop answers) and `GET /readyz` (readiness: every check passes, else 503 with
 * the failing ones). Kubernetes and compose probes use these.
 */
export function registerHealth(app: Express, checks: HealthChecks): void {
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', (_req, res) => {
    void Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await check().catch(() => false)] as const)).then((results) => {
      const status = Object.fromEntries(results);
      const ok = results.every(([, up]) => up);
      res.status(ok ? 200 : 503).json({ ok, checks: status });
    });
  });
}
