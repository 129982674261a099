import { z } from 'zod';
import { CommunityId, IncidentId } from '../common';

/**
 * Query schemas of the personnel service's read-only HTTP routes (`services/personnel/src/http.ts`).
 * Query schemas refuse unknown parameters (a mistyped filter is an error, not a silently wider answer); path
 * parameters are whatever the route pattern names.
 */

/** `GET /v1/tasks`: an incident's tasks. */
export const TasksQuery = z.object({ incidentId: IncidentId }).strict();
/** `GET /v1/people`: a community's people (masked). */
export const PeopleQuery = z.object({ communityId: CommunityId }).strict();
