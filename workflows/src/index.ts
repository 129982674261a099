/**
 * @lifeline/workflows — what callers need to talk to the incident workflows: message definitions, search
 * attribute keys, workflow types and their inputs, and the activity factory (Node side).
 * The worker and bridge entry points are not exported.
 */
export { statusQuery, commandUpdate, taskProgressSignal, deadlinePassedSignal, gateDecisionSignal, PATCHES, searchAttributes, ALL_SEARCH_ATTRIBUTE_KEYS, validateCommand, CommandRejected, type CommandGate } from './messages';
export { incidentWorkflow, districtPhaseWorkflow, communityPhaseWorkflow } from './workflows';
export type { CommunityState, CommunityPhaseInput, DistrictPhaseInput, PhaseContext } from './domain/state';
export { computeReview } from './domain/review';
export { measureIncidentCost, type IncidentCost } from './cost';
export { reserveQuantities, sitePlaces } from './domain/quantities';
export { appliesAt, splitPhase } from './domain/segments';
export { createActivities, type Activities, type ActivityDeps } from './activities';
export { WorkerEnv } from './config';
