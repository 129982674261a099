/**
 * The workflows' messages, defined once: the command-center, the bridge and the tests import these.
 * Workflow-safe (no Node imports).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { MESSAGES, type CommandResult, type IncidentCommand, type IncidentView, type TaskSignal } from '@lifeline/contracts';

export { validateCommand, CommandRejected, type CommandGate } from './domain/commands';

/** Query `status` on `incident-<id>`: phase, status, severity, per-area figures and the timeline, at any time. */
export const statusQuery = defineQuery<IncidentView>(MESSAGES.status);

/**
 * Update `command` on `incident-<id>`: advance, escalate, deescalate, stand-down. Its validator parses the command
 * with the contract's schema and rejects impossible ones before they touch history.
 */
export const commandUpdate = defineUpdate<CommandResult, [IncidentCommand]>(MESSAGES.command);

/** Signal `taskProgress` on `incident-<id>/community-<c>`: a responder acknowledged or completed a task. */
export const taskProgressSignal = defineSignal<[TaskSignal]>(MESSAGES.taskProgress);

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
