import { z } from 'zod';
import { IncidentId, Severity, Slug } from '../common';

/** Query schemas of the supplies service's read-only HTTP routes (`services/supplies/src/http.ts`); unknown parameters are refused. */

/** `GET /v1/stock`: stock by depot of an area, with the depots below it unless `below=false`. */
export const StockQuery = z.object({ areaId: Slug, below: z.enum(['true', 'false']).default('true') }).strict();
/** `GET /v1/reservations` and `GET /v1/summary`: one incident. */
export const IncidentQuery = z.object({ incidentId: IncidentId }).strict();
/** `GET /v1/readiness`: readiness of an area (lots expiring within `expiryWithinDays` of `asOf` count as at risk). */
export const ReadinessQuery = z
  .object({ areaId: Slug, expiryWithinDays: z.coerce.number().int().min(0).max(3650).default(30), asOf: z.string().date().optional(), severity: Severity.optional() })
  .strict();
/** `GET /v1/sites`: sites opened, optionally of one incident and/or community. */
export const SitesQuery = z.object({ incidentId: IncidentId.optional(), communityId: Slug.optional() }).strict();
