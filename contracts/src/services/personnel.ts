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

/** The professional teams the research names (for `professional` people and teams). */
export const Profession = z.enum(['medical', 'psychological', 'legal', 'fire', 'rescue']);
export type Profession = z.infer<typeof Profession>;

/** A certified skill with an expiry date (YYYY-MM-DD); once expired it blocks assignment to tasks needing the skill. */
export const Qualification = z.strictObject({ skill: Slug, expiresOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD') });
export type Qualification = z.infer<typeof Qualification>;

/**
 * How a simulated drill responder behaves for this person: `acknowledge` (default), `ignore` (never acknowledges,
 * so the deadline and fallback are exercised) or `decline`. Only drills honour it.
 */
export const DrillBehaviour = z.enum(['acknowledge', 'ignore', 'decline']);
export type DrillBehaviour = z.infer<typeof DrillBehaviour>;

/** Personal fields arrive in clear only on seed/import; they are encrypted at rest and never leave masked-free. */
export const PersonRecord = z.strictObject({
  id: Slug,
  type: PersonType,
  communityId: CommunityId,
  gridId: Slug.optional(),
  skills: z.array(Slug).max(20).default([]),
  name: z.string().min(1).max(100),
  phone: z.string().regex(/^\+?[0-9]{6,15}$/),
  available: z.boolean().default(true),
  /** The building or courtyard the person leads or lives in. */
  buildingId: Slug.optional(),
  /** Party overlay: the committee, branch or courtyard group the person belongs to. */
  partyUnitId: Slug.optional(),
  profession: Profession.optional(),
  /** For dual-registered members: the work unit they are registered with. */
  workUnit: z.string().min(1).max(100).optional(),
  qualifications: z.array(Qualification).max(20).optional(),
  teamIds: z.array(Slug).max(20).optional(),
  drillBehaviour: DrillBehaviour.optional(),
});
export type PersonRecord = z.input<typeof PersonRecord>;

/** The city's levels, city → district → sub-district → community → grid → building/courtyard. */
export const OrgLevel = z.enum(['district', 'sub-district', 'community', 'grid', 'building']);
export const OrgUnit = z.strictObject({
  id: Slug,
  level: OrgLevel,
  parentId: Slug.optional(),
  name: LocalizedText,
  /** Residents living in the unit (communities and below). */
  population: z.number().int().nonnegative().default(0),
  /** Households in the unit; when absent the readiness report estimates them from the population. */
  households: z.number().int().nonnegative().optional(),
});
export type OrgUnit = z.input<typeof OrgUnit>;

/** The Party overlay of a community: community committee → grid branch → courtyard group ("1 + 1 + x" per grid). */
export const PartyLevel = z.enum(['committee', 'branch', 'group']);
export const PartyUnit = z.strictObject({
  id: Slug,
  level: PartyLevel,
  communityId: CommunityId,
  /** The committee above a branch, the branch above a group. */
  parentId: Slug.optional(),
  /** The grid a branch (or group) serves. */
  gridId: Slug.optional(),
  /** The building or courtyard a group serves. */
  buildingId: Slug.optional(),
  /** Pseudonymous id of the secretary / group leader. */
  leaderId: Slug.optional(),
  name: LocalizedText,
});
export type PartyUnit = z.input<typeof PartyUnit>;

/** A standing team (e.g. a professional medical team or a volunteer squad); members carry its id in `teamIds`. */
export const Team = z.strictObject({
  id: Slug,
  name: LocalizedText,
  communityId: CommunityId.optional(),
  profession: Profession.optional(),
  skills: z.array(Slug).max(20).default([]),
  leaderId: Slug.optional(),
});
export type Team = z.input<typeof Team>;

export const SeedRosterRequest = z.strictObject({
  units: z.array(OrgUnit).max(50000).default([]),
  people: z.array(PersonRecord).max(50000).default([]),
  partyUnits: z.array(PartyUnit).max(50000).optional(),
  teams: z.array(Team).max(5000).optional(),
});
export const SeedRosterResult = z.object({ units: z.number().int(), people: z.number().int(), partyUnits: z.number().int().optional(), teams: z.number().int().optional() });

export const ResolveAreaRequest = z.strictObject({ area: Area });
export const ResolvedArea = z.object({
  districts: z.array(
    z.object({
      districtId: Slug,
      communities: z.array(z.object({ communityId: CommunityId, population: z.number().int(), subDistrictId: Slug.optional() })),
    }),
  ),
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
  /** The incident's severity when the task was dispatched (what the incentives service pays at). */
  severity: Severity.optional(),
  hours: z.number().nonnegative().optional(),
  /** When the current owner must acknowledge by (ISO time), for a dispatch with `ackDeadlineSeconds`. */
  ackDueAt: z.string().datetime().optional(),
});
export type Task = z.infer<typeof Task>;

export const DispatchRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  communityId: CommunityId,
  stepId: Slug,
  role: PersonType,
  skill: Slug.optional(),
  task: LocalizedText,
  severity: Severity,
  drill: z.boolean().default(false),
  /**
   * The owner must acknowledge within this many seconds; the service itself then hands the task to the next
   * candidate (durable, from the stored deadline). Without it only a `fallback` call moves the task on.
   */
  ackDeadlineSeconds: z.number().int().min(1).max(86_400).optional(),
  /** Prefer candidates of this grid (others follow). */
  gridId: Slug.optional(),
});
export const FallbackRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  taskId: z.string().min(1),
  reason: z.string().max(500),
  /** The owner who missed the deadline; if someone else holds the task by now, the task is answered as is. */
  ownerId: Slug.optional(),
});
export const AcknowledgeRequest = z.strictObject({ taskId: z.string().min(1), personId: Slug });
export const DeclineRequest = z.strictObject({ taskId: z.string().min(1), personId: Slug, reason: z.string().max(500).optional() });
export const StartRequest = z.strictObject({ taskId: z.string().min(1), personId: Slug });
export const CompleteRequest = z.strictObject({ taskId: z.string().min(1), personId: Slug, hours: z.number().positive().max(72) });
export const StandDownRequest = z.strictObject({ idempotencyKey: IdempotencyKey, incidentId: IncidentId });
export const StandDownResult = z.object({ incidentId: IncidentId, stoodDown: z.number().int() });

export const IncidentQuery = z.strictObject({ incidentId: IncidentId });
export const PersonnelSummary = z.object({
  incidentId: IncidentId,
  tasks: z.number().int(),
  acknowledged: z.number().int(),
  done: z.number().int(),
  timedOut: z.number().int(),
  fallbacks: z.number().int(),
  byCommunity: z.record(z.string(), z.object({ tasks: z.number().int(), acknowledged: z.number().int(), done: z.number().int() })),
  /** Owners who declined a task. */
  declined: z.number().int().optional(),
  /** Per role: assignments, acknowledgements, rate and delay (seconds from assignment to acknowledgement). */
  byRole: z
    .record(
      z.string(),
      z.object({
        assignments: z.number().int(),
        acknowledged: z.number().int(),
        rate: z.number().min(0).max(1),
        medianAckSeconds: z.number().nonnegative().optional(),
        p90AckSeconds: z.number().nonnegative().optional(),
      }),
    )
    .optional(),
  /** Roles with at least one task nobody acknowledged. */
  unacknowledgedRoles: z.array(PersonType).optional(),
  /** Hours reported per participant (pseudonymous ids). */
  hoursByParticipant: z.record(z.string(), z.number().nonnegative()).optional(),
  /** Assignees who let a deadline pass or declined (ids only, sorted). */
  nonAcknowledging: z.array(Slug).optional(),
});
export type PersonnelSummary = z.infer<typeof PersonnelSummary>;

/** Span-of-control limits; every field has a default (the service's configuration). */
export const ReadinessThresholds = z
  .object({
    maxHouseholdsPerGridWorker: z.number().int().min(1).optional(),
    maxPeoplePerGridWorker: z.number().int().min(1).optional(),
    maxMembersPerPartyGroup: z.number().int().min(1).optional(),
    /** Skills every community needs at least one available, qualified person for. */
    requiredSkills: z.array(Slug).max(50).optional(),
  })
  .strict();
export type ReadinessThresholds = z.infer<typeof ReadinessThresholds>;

export const ReadinessRequest = z.strictObject({ area: Area, thresholds: ReadinessThresholds.optional(), asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() });

export const ReadinessFinding = z.object({
  code: z.enum(['span-households', 'span-people', 'span-party-group', 'grid-without-branch', 'grid-without-leader', 'skill-missing', 'no-party-overlay']),
  message: z.string(),
  /** Ids involved (grids, party units, skills) — never personal data. */
  subjects: z.array(z.string()),
  value: z.number().optional(),
  limit: z.number().optional(),
});
export type ReadinessFinding = z.infer<typeof ReadinessFinding>;

export const CommunityReadiness = z.object({
  communityId: CommunityId,
  population: z.number().int(),
  households: z.number().int(),
  grids: z.number().int(),
  gridWorkers: z.number().int(),
  householdsPerGridWorker: z.number().nonnegative().optional(),
  peoplePerGridWorker: z.number().nonnegative().optional(),
  partyMembers: z.number().int(),
  partyGroups: z.number().int(),
  /** The largest number of members led by one Party group (or branch without groups). */
  maxMembersPerPartyGroup: z.number().int(),
  gridsWithoutBranch: z.array(Slug),
  gridsWithoutLeader: z.array(Slug),
  skillsMissing: z.array(Slug),
  findings: z.array(ReadinessFinding),
  /** True when nothing was flagged. */
  ready: z.boolean(),
});
export type CommunityReadiness = z.infer<typeof CommunityReadiness>;

export const ReadinessReport = z.object({
  thresholds: z.object({
    maxHouseholdsPerGridWorker: z.number().int(),
    maxPeoplePerGridWorker: z.number().int(),
    maxMembersPerPartyGroup: z.number().int(),
    requiredSkills: z.array(Slug),
  }),
  communities: z.array(CommunityReadiness),
  flagged: z.array(CommunityId),
});
export type ReadinessReport = z.infer<typeof ReadinessReport>;

/** Surge: an open call for volunteers with a skill in an area, up to a quota. */
export const SurgeCallRequest = z.strictObject({
  idempotencyKey: IdempotencyKey,
  incidentId: IncidentId,
  communityIds: z.array(CommunityId).min(1).max(500),
  skill: Slug.optional(),
  quota: z.number().int().min(1).max(10_000),
  message: LocalizedText,
  drill: z.boolean().default(false),
});
export const SurgeCall = z.object({
  callId: z.string(),
  incidentId: IncidentId,
  communityIds: z.array(CommunityId),
  skill: Slug.optional(),
  quota: z.number().int(),
  invited: z.array(Slug),
  accepted: z.array(Slug),
  declined: z.array(Slug),
  status: z.enum(['open', 'filled']),
});
export type SurgeCall = z.infer<typeof SurgeCall>;
export const SurgeAnswerRequest = z.strictObject({ callId: z.string().min(1), personId: Slug, answer: z.enum(['accept', 'decline']) });
export const IncidentRoster = z.object({ incidentId: IncidentId, volunteers: z.array(z.object({ personId: Slug, callId: z.string(), skill: Slug.optional() })) });

/** A dry run of a plan's dispatch steps: for each task it would dispatch, the people who could own it. Reads only. */
export const PreviewRequest = z.strictObject({
  needs: z.array(z.strictObject({ communityId: CommunityId, stepId: Slug, role: PersonType, skill: Slug.optional() })).min(1).max(50_000),
  /** The day qualifications must still be valid on (default today). */
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});
export const Preview = z.object({
  asOf: z.string(),
  /** In the order asked: available people of the role in the community, qualified for the skill (the dispatch's candidates, before any is busy). */
  needs: z.array(z.object({ communityId: CommunityId, stepId: Slug, role: PersonType, skill: Slug.optional(), candidates: z.number().int() })),
});
export type Preview = z.infer<typeof Preview>;

export const personnel = {
  seed: endpoint('personnel', 'seed', 'Load people into the roster (idempotent upsert by id; personal data encrypted).', SeedRosterRequest, SeedRosterResult),
  resolveArea: endpoint('personnel', 'resolve-area', 'Expand an incident area into districts and communities with populations.', ResolveAreaRequest, ResolvedArea),
  dispatch: endpoint('personnel', 'dispatch', 'Give a task exactly one named owner chosen by role, skill and area, and notify them.', DispatchRequest, Task),
  fallback: endpoint('personnel', 'fallback', 'Move an unacknowledged task to the next candidate.', FallbackRequest, Task),
  acknowledge: endpoint('personnel', 'acknowledge', 'The owner accepts the task.', AcknowledgeRequest, Task),
  complete: endpoint('personnel', 'complete', 'The owner reports the task done with hours worked.', CompleteRequest, Task),
  standDown: endpoint('personnel', 'stand-down', 'Stand every open task of an incident down.', StandDownRequest, StandDownResult),
  summary: endpoint('personnel', 'summary', 'Task figures for an incident.', IncidentQuery, PersonnelSummary),
  decline: endpoint('personnel', 'decline', 'The owner declines the task; it falls back to the next candidate at once.', DeclineRequest, Task),
  start: endpoint('personnel', 'start', 'The owner reports work on an acknowledged task under way (in-progress).', StartRequest, Task),
  readiness: endpoint('personnel', 'readiness', 'Span-of-control readiness for an area: people per grid worker, members per Party group, grids without branch or leader, missing skills.', ReadinessRequest, ReadinessReport),
  surgeCall: endpoint('personnel', 'surge-call', 'Open a call for volunteers with a skill in an area, up to a quota.', SurgeCallRequest, SurgeCall),
  surgeAnswer: endpoint('personnel', 'surge-answer', 'A volunteer accepts or declines a surge call; accepted volunteers join the incident roster.', SurgeAnswerRequest, SurgeCall),
  incidentRoster: endpoint('personnel', 'incident-roster', 'Volunteers who joined an incident through surge calls.', IncidentQuery, IncidentRoster),
  preview: endpoint('personnel', 'preview', "A plan's dry run: the qualified, available people of each dispatch's role and skill in its community; reads only.", PreviewRequest, Preview),
} as const;

export const personnelEvents = {
  assigned: event('personnel', 'task-assigned', 'A task has a (new) owner.', Task),
  acknowledged: event('personnel', 'task-acknowledged', 'The owner acknowledged the task.', Task),
  completed: event('personnel', 'task-completed', 'The owner completed the task.', Task),
  stoodDown: event('personnel', 'task-stood-down', 'An open task was stood down.', Task),
  started: event('personnel', 'task-started', 'The owner started work on the task (in-progress).', Task),
  declined: event('personnel', 'task-declined', 'The owner declined the task (ownerId is who declined).', Task),
  timedOut: event('personnel', 'task-timed-out', 'The owner let the acknowledgement deadline pass (ownerId is who missed it).', Task),
  unassigned: event('personnel', 'task-unassigned', 'Nobody is left to take the task.', Task),
  surgeAccepted: event('personnel', 'surge-accepted', 'A volunteer accepted a surge call and joined the incident roster.', z.object({ callId: z.string(), incidentId: IncidentId, personId: Slug, skill: Slug.optional() })),
} as const;
