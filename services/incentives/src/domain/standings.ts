import type { incentivesContract } from '@lifeline/contracts';

/** One participant's awards within an incident, as the store groups them. */
export interface ParticipantTally {
  participantId: string;
  points: number;
  awards: number;
}

/** Group award entries by participant: points and number of awards each. */
export function tallyByParticipant(awards: readonly { participantId: string; points: number }[]): ParticipantTally[] {
  const byParticipant = new Map<string, ParticipantTally>();
  for (const { participantId, points } of awards) {
    const t = byParticipant.get(participantId) ?? { participantId, points: 0, awards: 0 };
    byParticipant.set(participantId, { participantId, points: t.points + points, awards: t.awards + 1 });
  }
  return [...byParticipant.values()];
}

export function summarise(incidentId: string, tallies: readonly ParticipantTally[]): incentivesContract.IncentivesSummary {
  return {
    incidentId,
    awards: tallies.reduce((n, t) => n + t.awards, 0),
    points: tallies.reduce((n, t) => n + t.points, 0),
    participants: tallies.filter((t) => t.awards > 0).length,
  };
}

/** An award entry as the review figures read it. */
export interface AwardRow {
  participantId: string;
  points: number;
  participantType?: string | undefined;
  allowanceCny?: number | undefined;
}

export interface ReviewCounts {
  volunteerHours: number;
  flagsRaised: number;
  honoursConfirmed: number;
}

/** The optional figures the after-action review reads: hours, points per participant type, top participants, flags. */
export function reviewFigures(awards: readonly AwardRow[], counts: ReviewCounts, top = 5): Required<Omit<incentivesContract.IncentivesSummary, 'incidentId' | 'awards' | 'points' | 'participants'>> {
  const pointsByParticipantType: Record<string, number> = {};
  let allowanceCny = 0;
  for (const a of awards) {
    const type = a.participantType ?? 'resident-volunteer';
    pointsByParticipantType[type] = (pointsByParticipantType[type] ?? 0) + a.points;
    allowanceCny += a.allowanceCny ?? 0;
  }
  return {
    volunteerHours: Math.round(counts.volunteerHours * 100) / 100,
    pointsByParticipantType,
    topParticipants: leaderboard(tallyByParticipant(awards), top).map((r) => r.participantId),
    flagsRaised: counts.flagsRaised,
    allowanceCny,
    honoursConfirmed: counts.honoursConfirmed,
  };
}

export interface LeaderboardRow extends ParticipantTally {
  rank: number;
}

/** Most points first; ties share a rank and are listed by participant id so the order is stable. */
export function leaderboard(tallies: readonly ParticipantTally[], limit: number): LeaderboardRow[] {
  const sorted = [...tallies].sort((a, b) => b.points - a.points || a.participantId.localeCompare(b.participantId));
  const rows: LeaderboardRow[] = [];
  sorted.slice(0, limit).forEach((t, i) => {
    const prev = rows[i - 1];
    rows.push({ ...t, rank: prev && prev.points === t.points ? prev.rank : i + 1 });
  });
  return rows;
}
