import { z } from 'zod';
import { Area, CommunityId, IdempotencyKey, IncidentId, LocalizedText, Severity, Slug } from '../common';
import { endpoint, event } from '../define';

/** The kinds of responder the research names (community staff to professional teams). */
export const PersonType = z.enum([
  'community-staff',
  'grid-worker',
  'building-leader',
  'party-member',
  'dual-registered-member',
  'volunteer',
  'social-worker',
  'property-staff',
  'community-police',
  'health-centre-staff',
  'professional',
]);
export type PersonType = z.infer<typeof PersonType>;

/** Personal fields arrive in clear only on seed/import; they are encrypted at rest and never leave masked-free. */
export const PersonRecord = z.object({
  id: Slug,
  type: PersonType,
  communityId: CommunityId,
  gridId: Slug.optional(),
  skills: z.array(Slug).max(20).default([]),
  name: z.string().min(1).max(100),
  phone: z.string().regex(/^\+?[0-9]{6,15}$/),
  available: z.boolean().default(true),
});
export type PersonRecord = z.input<typeof PersonRecord>;

/** The city's levels, city → district → sub-district → community → grid → building/courtyard. */
export const OrgLevel = z.enum(['district', 'sub-district', 'community', 'grid', 'building']);
export const OrgUnit = z.object({
  id: Slug,
  level: OrgLevel,
  parentId: Slug.optional(),
  name: LocalizedText,
  /** Residents living in the unit (communities and below). */
  population: z.number().int().nonnegative().default(0),
});
export type OrgUnit = z.input<typeof OrgUnit>;

export const SeedRosterRequest = z.object({ units: z.array(OrgUnit).max(50000).default([]), people: z.array(PersonRecord).max(50000).default([]) });
export const SeedRosterResult = z.object({ units: z.number().int(), people: z.number().int() });

export const ResolveAreaRequest = z.object({ area: Area });
export const ResolvedArea = z.object({
  districts: z.array(z.object({ districtId: Slug, communities: z.array(z.object({ communityId: CommunityId, population: z.number().int() })) })),
});
export type ResolvedArea = z.infer<typeof ResolvedArea>;

export const TaskStatus = z.enum(['assigned', 'acknowledged', 'in-progress', 'done', 'declined', 'timed-out', 'stood-down', 'unassigned']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Task = z.object({
  taskId: z.string(),
  incidentId: IncidentId,
  communityId: CommunityId,
  stepId: Slug,
  role: PersonType,
  skill: Slug.optional(),
  /** Pseudonymous person id; names and phones never appear in tasks, events or workflow history. */
  ownerId: Slug.optional(),
  /** Everyone who held the task, in order; the last is the current owner. */
  owners: z.array(Slug),
  status: TaskStatus,
  drill: z.boolean(),
  hours: z.number().nonnegative().optional(),
});
export type Task = z.infer<typeof Task>;

export const DispatchRequest = z.object({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  communityId: CommunityId,
  stepId: Slug,
  role: PersonType,
  skill: Slug.optional(),
  task: LocalizedText,
  severity: Severity,
  drill: z.boolean().default(false),
});
export const FallbackRequest = z.object({ idempotencyKey: IdempotencyKey, taskId: z.string().min(1), reason: z.string().max(500) });
export const AcknowledgeRequest = z.object({ taskId: z.string().min(1), personId: Slug });
export const CompleteRequest = z.object({ taskId: z.string().min(1), personId: Slug, hours: z.number().positive().max(72) });
export const StandDownRequest = z.object({ idempotencyKey: IdempotencyKey, incidentId: IncidentId });
export const StandDownResult = z.object({ incidentId: IncidentId, stoodDown: z.number().int() });

export const IncidentQuery = z.object({ incidentId: IncidentId });
export const PersonnelSummary = z.object({
  incidentId: IncidentId,
  tasks: z.number().int(),
  acknowledged: z.number().int(),
  done: z.number().int(),
  timedOut: z.number().int(),
  fallbacks: z.number().int(),
  byCommunity: z.record(z.string(), z.object({ tasks: z.number().int(), acknowledged: z.number().int(), done: z.number().int() })),
});
export type PersonnelSummary = z.infer<typeof PersonnelSummary>;

export const personnel = {
  seed: endpoint('personnel', 'seed', 'Load people into the roster (idempotent upsert by id; personal data encrypted).', SeedRosterRequest, SeedRosterResult),
  resolveArea: endpoint('personnel', 'resolve-area', 'Expand an incident area into districts and communities with populations.', ResolveAreaRequest, ResolvedArea),
  dispatch: endpoint('personnel', 'dispatch', 'Give a task exactly one named owner chosen by role, skill and area, and notify them.', DispatchRequest, Task),
  fallback: endpoint('personnel', 'fallback', 'Move an unacknowledged task to the next candidate.', FallbackRequest, Task),
  acknowledge: endpoint('personnel', 'acknowledge', 'The owner accepts the task.', AcknowledgeRequest, Task),
  complete: endpoint('personnel', 'complete', 'The owner reports the task done with hours worked.', CompleteRequest, Task),
  standDown: endpoint('personnel', 'stand-down', 'Stand every open task of an incident down.', StandDownRequest, StandDownResult),
  summary: endpoint('personnel', 'summary', 'Task figures for an incident.', IncidentQuery, PersonnelSummary),
} as const;

export const personnelEvents = {
  assigned: event('personnel', 'task-assigned', 'A task has a (new) owner.', Task),
  acknowledged: event('personnel', 'task-acknowledged', 'The owner acknowledged the task.', Task),
  completed: event('personnel', 'task-completed', 'The owner completed the task.', Task),
  stoodDown: event('personnel', 'task-stood-down', 'An open task was stood down.', Task),
} as const;
