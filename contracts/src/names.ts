/**
 * The names the workflows share with everyone else — task queue, workflow ids, message and activity names, the
 * phases and severities — as plain values, without zod.
 *
 * Temporal evaluates a workflow bundle's modules once per workflow run (each run has its own module cache), so what
 * the district and community runs import is paid thousands of times in a city-wide activation: these names and the
 * small schemas of `./inbound` cost well under a millisecond there, the whole contracts about 30 ms.
 */

/** Task queue the incident worker polls. */
export const TASK_QUEUE = 'lifeline-incidents';

/** Meaningful workflow ids, so an administrator can open any incident, district or community in the Temporal UI. */
export const workflowIds = {
  incident: (incidentId: string) => `incident-${incidentId}`,
  district: (incidentId: string, districtId: string) => `incident-${incidentId}/district-${districtId}`,
  community: (incidentId: string, communityId: string) => `incident-${incidentId}/community-${communityId}`,
};

/** Custom search attributes registered on the Temporal namespace (names and types). */
export const SEARCH_ATTRIBUTES = {
  LifelineIncidentId: 'Keyword',
  LifelinePlanId: 'Keyword',
  LifelineSeverity: 'Keyword',
  LifelinePhase: 'Keyword',
  LifelineDistrict: 'KeywordList',
  LifelineDrill: 'Bool',
} as const;

/** Names of the workflow's messages; definitions live beside the workflows. */
export const MESSAGES = { status: 'status', command: 'command', taskProgress: 'taskProgress', deadlinePassed: 'deadlinePassed', gateDecision: 'gateDecision' } as const;

/** Every activity the workflows call, by name: the name Temporal records, and the key of the worker's implementation. */
export const ACTIVITY_NAMES = [
  'resolveArea',
  'broadcast',
  'awaitBroadcast',
  'awaitBroadcasts',
  'reserveSupplies',
  'issueSupplies',
  'returnSupplies',
  'releaseSupplies',
  'openSites',
  'closeSites',
  'dispatchResponder',
  'fallbackResponder',
  'standDownResponders',
  'awardPoints',
  'checkReadiness',
  'collectFigures',
] as const;
export type ActivityName = (typeof ACTIVITY_NAMES)[number];
export const ACTIVITY = Object.fromEntries(ACTIVITY_NAMES.map((name) => [name, name])) as { readonly [K in ActivityName]: K };

/** The five phases every incident walks through, in order, then `closed`. */
export const PHASES = ['warn', 'mobilize', 'respond', 'recover', 'review'] as const;
/** China's four emergency levels: I 特别重大 (red) … IV 一般 (blue). */
export const SEVERITIES = ['I', 'II', 'III', 'IV'] as const;
/** Identifiers are lowercase slugs so they can sit inside NATS subjects and Temporal workflow ids. */
export const SLUG = { pattern: /^[a-z0-9][a-z0-9-]{0,62}$/, hint: 'lowercase letters, digits and dashes, at most 63' } as const;
