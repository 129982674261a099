import { z } from 'zod';
import { IncidentId, Slug } from '../common';

/**
 * Path and query schemas of the notification service's read-only HTTP routes (`services/notification/src/http.ts`).
 * Query schemas refuse unknown parameters (a mistyped filter is an error, not a silently wider answer); path
 * parameters are whatever the route pattern names.
 */

/** `GET /v1/jobs`: an incident's broadcast jobs. */
export const JobsQuery = z.object({ incidentId: IncidentId }).strict();
/** `:id` of `/v1/jobs/:id` (a job id is not a slug). */
export const JobParams = z.object({ id: z.string().min(1).max(100) });
/** `/v1/incidents/:incidentId/residents/:residentId/deliveries`. */
export const DeliveryParams = z.object({ incidentId: IncidentId, residentId: Slug });
/** Its query: only the deliveries of one plan step. */
export const DeliveryQuery = z.object({ stepId: Slug.optional() }).strict();
