import { LifelineError, personnel, supplies, type ErrorBody } from '@lifeline/contracts';
import type { ReadinessQuery } from '@lifeline/contracts/http/command-center';
import { call, type NatsConnection } from '@lifeline/platform';

/**
 * Readiness of an area before an incident, from the services that own the facts: supplies (expiring or condemned
 * stock, overdue inspections, stock below target) and personnel (spans of control, missing leaders and skills).
 * Each part is asked on its own; one that does not answer is reported as a problem, not as a failed request.
 */
export async function areaReadiness(nc: NatsConnection, query: ReadinessQuery) {
  const areaId = query.community ?? query.district;
  if (!areaId) throw new LifelineError('invalid_request', 'name ?community=<id> or ?district=<id>');
  const area = query.community ? { communityIds: [query.community] } : { districtIds: [query.district!] };
  const problems: (ErrorBody & { service: string })[] = [];
  const ask = async <T>(service: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (err) {
      const e = err as { code?: ErrorBody['code']; message?: string; details?: unknown };
      problems.push({ service, code: e.code ?? 'unavailable', message: e.message ?? String(err), ...(e.details === undefined ? {} : { details: e.details }) });
      return null;
    }
  };
  const [stock, people] = await Promise.all([
    ask('supplies', () => call(nc, supplies.readiness, { areaId, ...(query.severity ? { severity: query.severity } : {}) }, { timeoutMs: 10_000 })),
    ask('personnel', () => call(nc, personnel.readiness, { area }, { timeoutMs: 10_000 })),
  ]);
  return { areaId, supplies: stock, personnel: people, problems };
}
