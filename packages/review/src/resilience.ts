import type { AreaProgress, ResilienceIndicators } from '@lifeline/contracts';
import type { TaskFacts } from './history';
import type { Thresholds } from './inputs';

const ratio = (num: number, den: number): number | null => (den > 0 ? Math.min(1, Math.max(0, num / den)) : null);
const round3 = (n: number) => Math.round(n * 1000) / 1000;
/** Mean of the terms that could be measured; 0 when none could (nothing measured is no evidence of resilience). */
const meanOf = (terms: (number | null)[]) => {
  const known = terms.filter((t): t is number => t !== null);
  return known.length ? round3(known.reduce((a, b) => a + b, 0) / known.length) : 0;
};

export interface ResilienceContext {
  residentsPerResponder: number | null;
  tasks: readonly TaskFacts[];
  thresholds: Thresholds;
  /** Incident-wide resident cases (needs), when the notification service reports them. */
  cases?: { opened: number; closed: number } | undefined;
}

/**
 * Resistance (抵抗力), recovery (恢复力) and self-governance (自治力) of one community, each in [0, 1]:
 * - resistance = mean(warning reach sent/total, supplies coverage reserved/(reserved+shortfall), acknowledgement coverage acknowledged/tasks)
 * - recovery = mean(task completion done/tasks, stock returned/issued, needs closed/opened)
 * - self-governance = mean(first-owner acknowledgement share, span score min(1, limit/residents per responder),
 *   participation min(1, participants per 1000 residents / the full-score figure))
 * A term whose denominator is zero is left out of its mean; the inputs are kept beside the scores.
 */
export function resilienceOf(area: AreaProgress, ctx: ResilienceContext): ResilienceIndicators {
  const { notification, supplies, personnel } = area.figures;
  const warnReach = ratio(notification.sent, notification.total);
  const suppliesCoverage = ratio(supplies.reserved, supplies.reserved + supplies.shortfall);
  const ackCoverage = ratio(personnel.acknowledged, personnel.tasks);
  const completion = ratio(personnel.done, personnel.tasks);
  const returned = ratio(supplies.returned, supplies.issued);
  const needsClosed = ctx.cases ? ratio(ctx.cases.closed, ctx.cases.opened) : null;
  const firstOwner = ratio(ctx.tasks.filter((t) => t.acknowledgedAt && t.acknowledgedBy === t.owners[0]).length, ctx.tasks.length);
  const span = ctx.residentsPerResponder === null ? null : ctx.residentsPerResponder <= 0 ? 1 : Math.min(1, ctx.thresholds.maxResidentsPerResponder / ctx.residentsPerResponder);
  const participants = new Set(ctx.tasks.filter((t) => t.doneAt && t.acknowledgedBy).map((t) => t.acknowledgedBy)).size;
  const perThousand = area.population > 0 ? (participants * 1000) / area.population : null;
  const participation = perThousand === null ? null : Math.min(1, perThousand / ctx.thresholds.participantsPerThousandForFullScore);
  return {
    communityId: area.communityId,
    resistance: meanOf([warnReach, suppliesCoverage, ackCoverage]),
    recovery: meanOf([completion, returned, needsClosed]),
    selfGovernance: meanOf([firstOwner, span, participation]),
    inputs: {
      warnReach,
      suppliesCoverage,
      ackCoverage,
      completion,
      returned,
      needsClosed,
      firstOwnerAck: firstOwner,
      spanScore: span === null ? null : round3(span),
      participantsPerThousand: perThousand === null ? null : round3(perThousand),
      participation: participation === null ? null : round3(participation),
    },
  };
}
