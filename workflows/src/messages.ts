/**
 * The workflows' messages, defined once: the command-center, the bridge and the tests import these.
 * Workflow-safe (no Node imports).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CommandResult, IncidentView } from '@lifeline/contracts';
import { MESSAGES, type DeadlineSignal, type GateDecisionSignal, type IncidentCommand, type TaskSignal } from '@lifeline/contracts/inbound';

export { validateCommand, CommandRejected, type CommandGate } from './domain/commands';

/** Query `status` on `incident-<id>`: phase, status, severity, per-area figures and the timeline, at any time. */
export const statusQuery = defineQuery<IncidentView>(MESSAGES.status);

/**
 * Update `command` on `incident-<id>`: advance, escalate, deescalate, stand-down. Its validator parses the command
 * with the contract's schema and rejects impossible ones before they touch history.
 */
export const commandUpdate = defineUpdate<CommandResult, [IncidentCommand]>(MESSAGES.command);

/**
 * Signal `taskProgress` on `incident-<id>/community-<c>`: a responder acknowledged or completed a task. The bridge
 * also sends acknowledgements to `incident-<id>`, where quorum waits count them.
 */
export const taskProgressSignal = defineSignal<[TaskSignal]>(MESSAGES.taskProgress);

/** Signal `deadlinePassed` on `incident-<id>` from a community: apply the step's rule (escalate, ask the commander). */
export const deadlinePassedSignal = defineSignal<[DeadlineSignal]>(MESSAGES.deadlinePassed);

/** Signal `gateDecision` on `incident-<id>/community-<c>` from the incident: the commander decided a gate. */
export const gateDecisionSignal = defineSignal<[GateDecisionSignal]>(MESSAGES.gateDecision);

/**
 * Patch ids of behavioural changes made while incidents may be running (docs/WORKFLOW-CHANGES.md).
 * `deadline-rules`: a passing deadline executes `escalate-severity` and `ask-commander` (before: noted only).
 * `drill-readiness`: a drill asks personnel for its span-of-control check before the readiness report.
 * `open-site`: an `open-site` step opens sites through supplies (before: noted as not executed); they are closed
 * when the community's recover run ends, or on stand-down.
 * `local-activities`: the incident resolves its area with a local activity (before: an activity through the server).
 * `community-local-activities`: a community run's commands are local activities (before: activities through the
 * server); the review reads their records from the marker's result (contracts/src/workflow.ts).
 * `district-warns`: in warn, each district runs the leading notify steps for all its communities itself, all districts
 * at once when that is the whole segment (before: one community run per community, DISTRICTS_IN_FLIGHT at a time).
 * `district-steps`: in every phase, each district runs a segment's leading notify and reserve steps for all its
 * communities itself, all districts at once, before the rest of the segment starts community runs (before: only
 * warn's notify steps, inside the same district run as the community runs after them).
 * `district-awards`: award steps join them, so a district credits its communities' completed tasks itself (before:
 * one community run per community for its awards, usually the only reason respond started any).
 */
export const PATCHES = {
  deadlineRules: 'deadline-rules',
  drillReadiness: 'drill-readiness',
  openSite: 'open-site',
  localActivities: 'local-activities',
  communityLocalActivities: 'community-local-activities',
  districtWarns: 'district-warns',
  districtSteps: 'district-steps',
  districtAwards: 'district-awards',
} as const;

/** Typed keys for the search attributes registered on the namespace (contracts' SEARCH_ATTRIBUTES). */
export const searchAttributes = {
  incidentId: defineSearchAttributeKey('LifelineIncidentId', SearchAttributeType.KEYWORD),
  planId: defineSearchAttributeKey('LifelinePlanId', SearchAttributeType.KEYWORD),
  severity: defineSearchAttributeKey('LifelineSeverity', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('LifelinePhase', SearchAttributeType.KEYWORD),
  districts: defineSearchAttributeKey('LifelineDistrict', SearchAttributeType.KEYWORD_LIST),
  drill: defineSearchAttributeKey('LifelineDrill', SearchAttributeType.BOOL),
} as const;

/** Every key, e.g. to register them on a dev server. */
export const ALL_SEARCH_ATTRIBUTE_KEYS = Object.values(searchAttributes);
