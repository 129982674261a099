import type { CommunityFigures, Review } from '@lifeline/contracts';
import { emptyFigures, type CommunityState } from './state';

export interface ReviewInput {
  incidentId: string;
  planId: string;
  planVersion: number;
  outcome: Review['outcome'];
  startedAt: Date;
  endedAt: Date;
  communities: readonly CommunityState[];
}

/** Sum every community's figures, section by section. */
export function totalFigures(communities: readonly CommunityState[]): CommunityFigures {
  const totals = emptyFigures();
  for (const { figures } of communities) {
    for (const section of Object.keys(totals) as (keyof CommunityFigures)[]) {
      const into = totals[section] as Record<string, number>;
      const from = figures[section] as Record<string, number>;
      for (const key of Object.keys(into)) into[key] = (into[key] ?? 0) + (from[key] ?? 0);
    }
  }
  return totals;
}

/** What a reviewer must look at for one community: shortfalls, missed acknowledgements, unfinished work, notes. */
export function communityFindings(community: CommunityState): string[] {
  const { supplies, personnel, notification } = community.figures;
  const findings: string[] = [];
  if (supplies.shortfall > 0) findings.push(`supplies short by ${supplies.shortfall} unit(s)`);
  if (personnel.missed > 0) findings.push(`${personnel.missed} missed acknowledgement(s)`);
  if (personnel.fallbacks > 0) findings.push(`${personnel.fallbacks} task(s) fell back to a backup`);
  const unfinished = personnel.acknowledged - personnel.done;
  if (unfinished > 0) findings.push(`${unfinished} acknowledged task(s) not reported done`);
  if (notification.sent < notification.total) findings.push(`reached ${notification.sent} of ${notification.total} residents`);
  for (const note of community.notes) findings.push(`${note.phase}/${note.stepId}: ${note.note}`);
  return findings;
}

/** The after-action review: totals over communities and findings, in a stable order (by community, then finding). */
export function computeReview(input: ReviewInput): Review {
  const ordered = [...input.communities].sort((a, b) => a.communityId.localeCompare(b.communityId));
  return {
    incidentId: input.incidentId,
    planId: input.planId,
    planVersion: input.planVersion,
    outcome: input.outcome,
    durationSeconds: Math.max(0, (input.endedAt.getTime() - input.startedAt.getTime()) / 1000),
    totals: totalFigures(ordered),
    findings: ordered.flatMap((c) => communityFindings(c).map((finding) => ({ communityId: c.communityId, finding }))),
  };
}
