/**
 * The one line each command and timer carries in the event history (Temporal user metadata, the summary), so an
 * administrator reading a run understands the plan without opening payloads. In the plan's words: step id, what it
 * does, to whom or what, counts, channels, item codes, community or district id. Never the incident's title, a
 * message's text, names, phones or addresses: the payload codec encrypts these lines like any payload, but they are
 * shown wherever the history is read (the UI's event list, `temporal workflow show`), so they hold only ids and plan
 * words. Pure; workflow-safe.
 */
import type { Area, StepOf } from '@lifeline/contracts';
import type { ReserveLine } from './quantities';

type AudienceGroup = StepOf<'notify'>['audience']['groups'][number];
type Channel = StepOf<'notify'>['channels'][number];

/** 4812 → "4,812" (by hand: the workflow sandbox's locale is not ours to rely on). */
export const count = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A list as a line, the first `max` named and the rest counted: a city-wide area names thousands of ids. */
export function listed(items: readonly string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} +${count(items.length - max)} more`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

const GROUP_WORDS: { readonly [G in AudienceGroup]: (population: number) => string } = {
  everyone: (population) => plural(population, 'resident'),
  vulnerable: () => 'vulnerable residents',
  responders: () => 'responders',
};

interface Community {
  communityId: string;
  population: number;
}

export const summaries = {
  broadcast: (stepId: string, c: Community, groups: readonly AudienceGroup[], channels: readonly Channel[], drill: boolean) =>
    `${stepId}: broadcast to ${groups.map((g) => GROUP_WORDS[g](c.population)).join(' and ')} of ${c.communityId} by ${channels.join(', ')}${drill ? ' (drill)' : ''}`,
  awaitBroadcast: (stepId: string, communityId: string, deadlineSeconds: number) => `${stepId}: wait up to ${deadlineSeconds}s for the broadcast to ${communityId} to be sent`,
  awaitBroadcasts: (stepId: string, districtId: string, jobs: number, deadlineSeconds: number) =>
    `${stepId}: wait up to ${deadlineSeconds}s for ${plural(jobs, 'broadcast')} in district ${districtId} to be sent`,

  reserve: (stepId: string, c: Community, lines: readonly ReserveLine[], severity: string) =>
    `${stepId}: reserve ${listed(lines.map((l) => `${l.itemCode} ×${count(l.quantity)}`), 8)} for ${plural(c.population, 'resident')} of ${c.communityId} (severity ${severity})`,
  /** Issue, return (the plan's steps) or release (stand-down) what one reserve step reserved. */
  reservation: (stepId: string, action: 'issue' | 'return' | 'release', units: number, reservedBy: string, communityId: string) =>
    `${stepId}: ${action} ${plural(units, 'unit')} ${action === 'return' ? 'issued from' : 'reserved by'} ${reservedBy} in ${communityId}`,
  openSites: (stepId: string, siteKinds: readonly string[], places: number, communityId: string) => `${stepId}: open ${siteKinds.join(', ')} sites for ${plural(places, 'person', 'people')} in ${communityId}`,
  closeSites: (stepId: string, sites: number, openedBy: string, communityId: string) => `${stepId}: close ${plural(sites, 'site')} opened by ${openedBy} in ${communityId}`,

  dispatch: (stepId: string, role: string, skill: string | undefined, communityId: string, ackDeadlineSeconds: number) =>
    `${stepId}: dispatch a ${role}${skill ? ` (${skill})` : ''} in ${communityId}, to acknowledge within ${ackDeadlineSeconds}s`,
  fallback: (stepId: string, attempt: number, role: string, taskId: string, communityId: string) => `${stepId}: page backup ${attempt} for the ${role} task ${taskId} in ${communityId}`,
  ackDeadline: (stepId: string, seconds: number, taskId: string, communityId: string, backup: number) =>
    `${stepId}: acknowledgement deadline ${seconds}s for task ${taskId} in ${communityId}${backup > 0 ? ` (backup ${backup})` : ''}`,
  completionDeadline: (stepId: string, seconds: number, taskId: string, communityId: string) => `${stepId}: completion deadline ${seconds}s for task ${taskId} in ${communityId}`,
  award: (stepId: string, taskId: string, role: string, hours: number, communityId: string) => `${stepId}: award points for task ${taskId} (${role}, ${hours} h) in ${communityId}`,

  resolveArea: (area: Area) => `resolve the area: ${areaWords(area)}`,
  standDownResponders: () => "stand-down: stand down the incident's open tasks",
  checkReadiness: (area: Area) => `readiness: check spans of control and overlay gaps in ${areaWords(area)}`,
  collect: (stepId: string, figures: readonly string[]) => `${stepId}: collect figures from ${figures.join(', ')}`,
  timer: (stepId: string, seconds: number) => `${stepId}: wait ${seconds}s, or until the operator advances`,
  quorum: (stepId: string, share: number, seconds: number) => `${stepId}: wait up to ${seconds}s for ${Math.round(share * 100)}% of tasks acknowledged`,
};

function areaWords(area: Area): string {
  const parts = [
    ...(area.cityWide ? ['the whole city'] : []),
    ...(area.districtIds?.length ? [`${area.districtIds.length === 1 ? 'district' : 'districts'} ${listed(area.districtIds)}`] : []),
    ...(area.communityIds?.length ? [`${area.communityIds.length === 1 ? 'community' : 'communities'} ${listed(area.communityIds)}`] : []),
  ];
  return parts.join(' and ');
}
