import { z } from 'zod';
import { CommunityId, IncidentId } from '../common';

/**
 * Query schemas of the personnel service's read-only HTTP routes (`services/personnel/src/http.ts`).
 * These are plain objects: unknown query parameters are dropped, not refused (as the routes have always done).
 */

/** `GET /v1/tasks`: an incident's tasks. */
export const TasksQuery = z.object({ incidentId: IncidentId });
/** `GET /v1/people`: a community's people (masked). */
export const PeopleQuery = z.object({ communityId: CommunityId });
